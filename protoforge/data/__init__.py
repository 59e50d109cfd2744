"""DataModules that turn Ichor's rendered shots into training samples."""
