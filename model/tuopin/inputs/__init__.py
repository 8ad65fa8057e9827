"""What users give the model: scenario files (schema, ``extends``, checks) and registry exports.

Above the parameter catalog, below everything else: nothing here simulates or writes results.
"""
