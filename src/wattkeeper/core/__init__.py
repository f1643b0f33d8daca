"""The control core: channels, components, process image and cycle (standard library only)."""
