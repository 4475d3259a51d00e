"""Seed the system of record with the demo products and customers (safe to repeat)."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources

from valuechain.datafiles import read_toml
from valuechain.records.store import SystemOfRecord
from valuechain.settings import SettingsError


def seed_demo_data(store: SystemOfRecord, path: str = "") -> None:
    source = path or str(resources.files("valuechain").joinpath("demo_data.toml"))
    data = read_toml(source, "demo data file", SettingsError)
    for p in data.get("products", []):
        store.add_product(p["sku"], p["name"], Decimal(p["unit_price"]),
                          Decimal(p["weight_kg"]), int(p["on_hand"]))  # fmt: skip
    for c in data.get("customers", []):
        store.add_customer(c["id"], c["name"], Decimal(c["credit_limit"]), int(c["distance_km"]))
