"""Reference NumPy implementation of the workbook, one module per day (the model answers)."""
