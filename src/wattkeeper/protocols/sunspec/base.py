"""Register types and the model header that every SunSpec model table shares."""

from __future__ import annotations

from wattkeeper.protocols.registers import Access, Point, RegType

I16, U16, I32, U32 = RegType.INT16, RegType.UINT16, RegType.INT32, RegType.UINT32
ACC32, F32, E16 = RegType.ACC32, RegType.FLOAT32, RegType.ENUM16
BF16, BF32, SF = RegType.BITFIELD16, RegType.BITFIELD32, RegType.SUNSSF
STR, PAD = RegType.STRING, RegType.PAD
RW = Access.RW

HEADER = (Point("ID", 0, U16), Point("L", 1, U16))

#: St of the inverter models 10x/11x and InvSt of DER model 701.
INVERTER_STATES = {
    1: "OFF",
    2: "SLEEPING",
    3: "STARTING",
    4: "MPPT",
    5: "THROTTLED",
    6: "SHUTTING_DOWN",
    7: "FAULT",
    8: "STANDBY",
}
