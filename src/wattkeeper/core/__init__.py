"""The control core: channels, components, the process image and the cycle (standard library only)."""
