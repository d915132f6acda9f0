"""The catalogue of Ningbo's industrial space: layers, validation, profiles, reports."""
