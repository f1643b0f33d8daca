"""`Controller.Api.MQTT` (App.Api.Mqtt): OpenEMS's MQTT topics, Home Assistant discovery and a
command path through the write gate."""
