"""Running the dctc executable from Python (shared by dctc_airflow and dctc_luigi)."""
