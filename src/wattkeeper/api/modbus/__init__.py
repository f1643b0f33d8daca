"""The Modbus/TCP API in OpenEMS's register layout (`Controller.Api.ModbusTcp.*`)."""
