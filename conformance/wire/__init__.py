"""Wire helpers shared by the suite and the emulator: signatures, the XML codec, redaction."""
