"""Plain `nn.Module` networks, importable by agents without Lightning."""
