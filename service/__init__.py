"""Clinic patient-education assistant service."""
