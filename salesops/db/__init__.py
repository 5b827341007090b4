"""The database: engine and connections (engine), the schema, rollups and dialect functions."""
