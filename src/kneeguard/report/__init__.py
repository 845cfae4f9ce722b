"""Reports for the physical therapist and clinic systems: the FHIR R4 bundle (fhir.py)."""
