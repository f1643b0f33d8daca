# The MQTT API's tests start Debian's mosquitto broker; install it when it is missing (needs root
# and apt).
set -euo pipefail
if command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's mosquitto for the MQTT tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mosquitto >/dev/null
else
  echo "mosquitto is missing and cannot be installed here: MQTT broker tests will be skipped" >&2
fi
