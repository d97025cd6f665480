"""A deterministic synthetic city, as pure data (no database).

The model is a California desert city of ~45,000 people: Coachella-like street names, 85 %
single-family homes, some multi-family, commercial and irrigation premises, 30 % of customers
preferring Spanish. Like a conversion from a legacy system, each account carries an opening balance:
most zero, some owing, a few in credit. The same ``seed`` always produces the same city.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from civicbill.core.money import Money
from civicbill.core.utility_services import Service

STREETS = (
    "Avenue 48",
    "Avenue 49",
    "Avenue 50",
    "Avenue 51",
    "Avenue 52",
    "Avenue 53",
    "Avenue 54",
    "Calle Techa",
    "Calle Camacho",
    "Calle Empalme",
    "Calle Rojo",
    "Calle Verde",
    "Calle Mendoza",
    "Calle Barcelona",
    "Calle Paloma",
    "Calle del Sol",
    "Calle Las Flores",
    "Cesar Chavez Street",
    "Grapefruit Boulevard",
    "Harrison Street",
    "Frederick Street",
    "Van Buren Street",
    "Tyler Street",
    "Date Avenue",
    "Bagdad Avenue",
    "Orchard Street",
    "Palm Drive",
    "Shady Lane",
    "Sixth Street",
    "Fourth Street",
    "Douma Street",
    "Vine Avenue",
    "Cairo Street",
    "Kenmore Street",
    "Vista del Norte",
    "Via Sevilla",
    "Paseo de Oro",
    "Calle Granada",
    "Dillon Road",
    "Airport Boulevard",
    "Tripoli Way",
    "Bautista Drive",
    "Valley Road",
    "Agua Caliente Drive",
    "Rancho Las Flores Parkway",
)
SPANISH_FIRST = (
    "María",
    "José",
    "Juan",
    "Guadalupe",
    "Luis",
    "Rosa",
    "Jesús",
    "Carmen",
    "Francisco",
    "Ana",
    "Miguel",
    "Verónica",
    "Alejandro",
    "Leticia",
    "Jorge",
    "Elena",
    "Ricardo",
    "Patricia",
    "Arturo",
    "Yolanda",
    "Fernando",
    "Gabriela",
    "Héctor",
    "Sofía",
    "Raúl",
    "Margarita",
    "Eduardo",
    "Alma",
    "Sergio",
    "Beatriz",
)
SPANISH_LAST = (
    "García",
    "Hernández",
    "Martínez",
    "López",
    "González",
    "Rodríguez",
    "Pérez",
    "Sánchez",
    "Ramírez",
    "Flores",
    "Gómez",
    "Díaz",
    "Reyes",
    "Cruz",
    "Morales",
    "Ortiz",
    "Gutiérrez",
    "Chávez",
    "Ramos",
    "Ruiz",
    "Mendoza",
    "Álvarez",
    "Castillo",
    "Jiménez",
    "Vargas",
    "Romero",
    "Herrera",
    "Medina",
    "Aguilar",
    "Peña",
    "Castro",
    "Núñez",
    "Ochoa",
    "Salazar",
    "Zamora",
    "Valenzuela",
    "Camacho",
    "Ibarra",
    "Delgado",
    "Cabrera",
)
OTHER_FIRST = (
    "James",
    "Mary",
    "Robert",
    "Linda",
    "Michael",
    "Susan",
    "David",
    "Karen",
    "Daniel",
    "Nancy",
    "Paul",
    "Lisa",
    "Mark",
    "Betty",
    "Steven",
    "Helen",
    "Kevin",
    "Sandra",
    "Brian",
    "Donna",
    "Tuan",
    "Linh",
    "Wei",
    "Mei",
    "Ravi",
    "Priya",
    "Joon",
    "Hana",
    "Ahmed",
    "Fatima",
)
OTHER_LAST = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Wilson",
    "Anderson",
    "Taylor",
    "Thomas",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Nguyen",
    "Tran",
    "Chen",
    "Wang",
    "Patel",
    "Kim",
    "Park",
    "Singh",
    "Ali",
    "Walker",
)
BUSINESS_WORDS = (
    "Desert",
    "Valley",
    "Coachella",
    "Oasis",
    "Palm",
    "Sunrise",
    "Mesa",
    "Sol",
    "Dátil",
    "Golden",
)
BUSINESS_KINDS = (
    "Market",
    "Tacos",
    "Auto Repair",
    "Dental",
    "Laundromat",
    "Bakery",
    "Farms",
    "Packing",
    "Pharmacy",
    "Church",
    "Tire Shop",
    "Carnicería",
    "Nursery",
    "Storage",
    "Restaurant",
    "Hardware",
)
CITY = "Coachella"
ZIP_CODES = ("92236", "92236", "92236", "92201")


@dataclass(frozen=True)
class DemoAgreement:
    service: str
    rate_schedule_code: str
    containers: int | None = None  # refuse: carts or bins collected
    service_size: str = ""  # fire line: the fire service line's size


def _with_determinants(
    agreements: tuple[DemoAgreement, ...], *, sequence: int, dwelling_units: int
) -> tuple[DemoAgreement, ...]:
    """Each refuse agreement's container count (one cart; a bin per 8 dwelling units) and each fire
    line's size (4" or 6"), derived without drawing from the random stream (the rest of the city
    stays the same for the same seed)."""
    result = []
    for agreement in agreements:
        if agreement.service == Service.REFUSE:
            bins = -(-dwelling_units // 8)  # 1 for 1-8 units, 2 for 12, 3 for 24
            agreement = DemoAgreement(agreement.service, agreement.rate_schedule_code, bins)
        elif agreement.service == Service.FIRE_LINE:
            size = "6" if sequence % 3 == 0 else "4"
            agreement = DemoAgreement(agreement.service, agreement.rate_schedule_code, service_size=size)
        result.append(agreement)
    return tuple(result)


@dataclass(frozen=True)
class DemoAccount:
    """One synthetic account: its customer, premise, services and conversion opening balance."""

    sequence: int
    kind: str
    first_name: str
    last_name: str
    business_name: str
    phone: str
    email: str
    preferred_language: str
    house_number: str
    street_name: str
    unit: str
    zip_code: str
    parcel_number: str
    premise_type: str
    dwelling_units: int
    billing_cycle: int
    read_route: str
    route_sequence: int
    mailing_differs: bool
    mailing_line1: str
    mailing_city: str
    mailing_zip: str
    opened_on: dt.date
    paperless: bool
    agreements: tuple[DemoAgreement, ...]
    opening_balance: dict[str, Money]  # service -> amount (+ owing, - credit); empty when zero


def _phone(rng: random.Random) -> str:
    return f"(760) {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"


def _ascii(text: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _agreements(premise_type: str, rng: random.Random) -> tuple[DemoAgreement, ...]:
    if premise_type == "single_family":
        return (
            DemoAgreement(Service.WATER, "W-RES"),
            DemoAgreement(Service.SEWER, "S-RES"),
            DemoAgreement(Service.REFUSE, "R-96GAL"),
        )
    if premise_type == "multi_family":
        return (
            DemoAgreement(Service.WATER, "W-MF"),
            DemoAgreement(Service.SEWER, "S-MF"),
            DemoAgreement(Service.REFUSE, "R-BIN-3YD"),
        )
    if premise_type == "commercial":
        services = [
            DemoAgreement(Service.WATER, "W-COM"),
            DemoAgreement(Service.SEWER, "S-COM"),
            DemoAgreement(Service.REFUSE, "R-BIN-3YD"),
        ]
        if rng.random() < 0.2:
            services.append(DemoAgreement(Service.FIRE_LINE, "F-LINE"))
        return tuple(services)
    return (DemoAgreement(Service.WATER, "W-IRR"),)


def _opening_balance(agreements: tuple[DemoAgreement, ...], rng: random.Random) -> dict[str, Money]:
    roll = rng.random()
    if roll < 0.72:
        return {}
    if roll < 0.95:  # owing: one or two months of charges spread over the services
        return {
            a.service: Money.from_cents(rng.randint(1_500, 9_000) * rng.choice((1, 1, 1, 2)))
            for a in agreements
        }
    # in credit (an overpayment carried over from the legacy system), on the water service
    return {agreements[0].service: Money.from_cents(-rng.randint(500, 6_000))}


def generate_city(*, accounts: int, seed: int, conversion_date: dt.date) -> list[DemoAccount]:
    """``accounts`` synthetic accounts, the same for the same ``seed``."""
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, not security
    result: list[DemoAccount] = []
    house_numbers: dict[str, int] = {}
    for sequence in range(1, accounts + 1):
        roll = rng.random()
        premise_type = (
            "single_family"
            if roll < 0.85
            else "multi_family"
            if roll < 0.92
            else "commercial"
            if roll < 0.97
            else "irrigation"
        )
        street = rng.choice(STREETS)
        house_numbers[street] = house_numbers.get(street, rng.randint(1, 40) * 10) + rng.choice(
            (2, 4, 6, 8, 10)
        )
        house_number = str(house_numbers[street])
        spanish = rng.random() < 0.55
        if premise_type in ("commercial", "irrigation") and rng.random() < 0.85:
            kind = "business"
            first = last = ""
            business = f"{rng.choice(BUSINESS_WORDS)} {rng.choice(BUSINESS_KINDS)}"
            if premise_type == "irrigation":
                business = (
                    f"{rng.choice(BUSINESS_WORDS)} {rng.choice(('HOA', 'Park', 'School District', 'Farms'))}"
                )
        else:
            kind = "person"
            business = ""
            first = rng.choice(SPANISH_FIRST if spanish else OTHER_FIRST)
            last = rng.choice(SPANISH_LAST if spanish else OTHER_LAST)
        prefers_spanish = spanish and rng.random() < 0.545  # about 30 % of all customers
        dwelling_units = {
            "single_family": 1,
            "multi_family": rng.choice((2, 3, 4, 4, 6, 8, 12, 24)),
            "commercial": 1,
            "irrigation": 1,
        }[premise_type]
        cycle = 1 + (sequence - 1) * 4 // accounts if accounts >= 4 else 1
        route_number = 1 + (sequence - 1) // 250
        mailing_differs = rng.random() < 0.08
        email_name = _ascii(f"{first}.{last}" if kind == "person" else business).lower().replace(" ", "")
        agreements = _with_determinants(
            _agreements(premise_type, rng), sequence=sequence, dwelling_units=dwelling_units
        )
        opened_on = conversion_date - dt.timedelta(days=rng.randint(30, 365 * 15))
        result.append(
            DemoAccount(
                sequence=sequence,
                kind=kind,
                first_name=first,
                last_name=last,
                business_name=business,
                phone=_phone(rng),
                email=f"{email_name}{sequence}@example.com" if rng.random() < 0.6 else "",
                preferred_language="es" if prefers_spanish else "en",
                house_number=house_number,
                street_name=street,
                unit=str(rng.randint(1, 24)) if premise_type == "multi_family" and rng.random() < 0.3 else "",
                zip_code=rng.choice(ZIP_CODES),
                parcel_number=f"{rng.randint(763, 779)}-{rng.randint(100, 999)}-{rng.randint(1, 99):03d}",
                premise_type=premise_type,
                dwelling_units=dwelling_units,
                billing_cycle=cycle,
                read_route=f"R{cycle:02d}{route_number:03d}",
                route_sequence=(sequence - 1) % 250 * 10 + 10,
                mailing_differs=mailing_differs,
                mailing_line1=f"PO Box {rng.randint(100, 9999)}" if mailing_differs else "",
                mailing_city="Indio" if mailing_differs else "",
                mailing_zip="92201" if mailing_differs else "",
                opened_on=opened_on,
                paperless=rng.random() < 0.15,
                agreements=agreements,
                opening_balance=_opening_balance(agreements, rng),
            )
        )
    return result
