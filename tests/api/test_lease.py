"""The lease (timeout) of held writes, on a fake clock: nothing here waits in real time."""

from __future__ import annotations

from tests.api.conftest import OWNER


async def discharging(api) -> bool:
    return await api.value("ess0/ActivePower") == 5000


async def test_value_held_at_59_s_and_dropped_at_61_s(api) -> None:
    await api.post("ess0/SetActivePowerEquals", {"value": 5000})
    api.step(59)
    assert await discharging(api)
    assert await api.value("ctrlApiRest0/OverrideRemaining") == 1
    api.step(2)
    assert api.worker.held == {}
    assert await api.value("ctrlApiRest0/OverrideActive") == 0
    assert await api.value("ctrlApiRest0/OverrideRemaining") is None
    api.step(2)
    # self-consumption took over: the battery covers the household, the grid is near 0
    assert not await discharging(api)
    assert abs(await api.value("_sum/GridActivePower")) < 300


async def test_rewrite_at_30_s_extends_the_lease(api) -> None:
    await api.post("ess0/SetActivePowerEquals", {"value": 5000})
    api.step(30)
    await api.post("ess0/SetActivePowerEquals", {"value": 5000})
    api.step(31)  # 61 s after the first write
    assert await discharging(api)
    api.step(29)  # 89 s: 59 s after the re-write
    assert await discharging(api)
    api.step(2)
    assert not await discharging(api)


async def test_any_write_rearms_the_timer_for_all_held_values(api) -> None:
    await api.post("ess0/SetActivePowerEquals", {"value": 5000})
    api.step(40)
    await api.post("ess0/SetActivePowerLessOrEquals", {"value": 4000})
    api.step(40)
    assert api.worker.held.keys() == {
        "ess0/SetActivePowerEquals",
        "ess0/SetActivePowerLessOrEquals",
    }
    # both held and re-applied in the order written: the earlier Equals wins over the later bound
    assert await api.value("ess0/ActivePower") == 5000
    api.step(25)
    assert api.worker.held == {}  # dropped together


async def test_without_a_lower_priority_controller_the_battery_rests_at_zero(make_api) -> None:
    api = make_api(
        """
[[components]]
id = "ess0"
factory = "Simulator.EssSymmetric.Reacting"
[[components]]
id = "ctrlApiRest0"
factory = "Controller.Api.Rest.ReadWrite"
"""
    )
    await api.post("ess0/SetActivePowerEquals", {"value": -3000})
    api.step(2)
    assert await api.value("ess0/ActivePower") == -3000
    api.step(60)
    assert await api.value("ess0/ActivePower") == 0


async def test_timeout_zero_never_expires(api) -> None:
    response = await api.rpc(
        "updateComponentConfig",
        {"componentId": "ctrlApiRest0", "properties": [{"name": "apiTimeout", "value": 0}]},
        auth=OWNER,
    )
    assert response.status_code == 200, response.text
    await api.post("ess0/SetActivePowerEquals", {"value": 5000})
    api.step(
        10, seconds=60
    )  # ten minutes: far beyond the default 60 s, before the battery runs low
    assert await discharging(api)
    assert await api.value("ctrlApiRest0/OverrideRemaining") is None


async def test_changed_timeout_applies_from_the_next_write(api) -> None:
    await api.post("ess0/SetActivePowerEquals", {"value": 5000})
    await api.rpc(
        "updateComponentConfig",
        {"componentId": "ctrlApiRest0", "properties": [{"name": "apiTimeout", "value": 10}]},
        auth=OWNER,
    )
    api.step(20)
    assert await discharging(api)  # the running lease keeps its 60 s
    await api.post("ess0/SetActivePowerEquals", {"value": 5000})
    api.step(11)
    assert not await discharging(api)
    api.step(1)
    assert api.worker.held == {}


async def test_a_write_the_battery_cannot_follow_says_what_it_was_fitted_to(api) -> None:
    response = await api.post("ess0/SetActivePowerEquals", {"value": 99_999_999})
    assert response.status_code == 200  # valid for the channel; the battery limits it
    api.step(2)
    assert await api.value("ess0/ActivePower") == 5000
    note = await api.value("ctrlApiRest0/Adjustments")
    assert note.startswith("ess0/SetActivePowerEquals:99999999 fitted to 5000 (")
    await api.post("ess0/SetActivePowerEquals", {"value": 2000})
    api.step(2)
    assert await api.value("ctrlApiRest0/Adjustments") == ""  # followed as written
    await api.post("ess0/SetActivePowerEquals", {"value": 99_999_999})
    api.step(2)
    await api.post("ess0/SetActivePowerEquals", {"value": None})
    api.step(1)
    assert await api.value("ctrlApiRest0/Adjustments") == ""  # nothing held, nothing fitted


async def test_a_rounded_fraction_is_said(api) -> None:
    response = await api.post("ess0/SetActivePowerEquals", {"value": 1500.4})
    assert response.status_code == 200  # OpenEMS clients send floats for INTEGER channels
    api.step(2)
    assert await api.value("ess0/ActivePower") == 1500
    assert await api.value("ctrlApiRest0/Adjustments") == (
        "ess0/SetActivePowerEquals:1500.4 rounded to 1500"
    )
    await api.post("ess0/SetActivePowerEquals", {"value": 1500.0})  # exactly a whole number
    api.step(1)
    assert await api.value("ctrlApiRest0/Adjustments") == ""
