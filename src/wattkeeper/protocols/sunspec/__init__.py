"""SunSpec: discovery of the model chain, and the official model definitions as register tables."""

from wattkeeper.protocols.sunspec.discovery import Discovery, ModelBlock, SunSpecMap
from wattkeeper.protocols.sunspec.models import MODELS

__all__ = ["MODELS", "Discovery", "ModelBlock", "SunSpecMap"]
