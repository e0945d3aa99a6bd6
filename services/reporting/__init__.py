"""Reporting: figures for coordinators and funders, kept from the antennes' events and rebuilt from them."""
