#!/usr/bin/env python3
"""Write gapmap's embedded sample data into data/.

The sample is Leicestershire County Council's Community Life Choices (CLC) framework,
calibrated to the figures the council has published (see data/README.md for every source):

- lsoa11.geojson     the ONS LSOA 2011 boundaries of the seven county districts (396
                     LSOAs, each with its district), copied from ../shared/data with
                     coordinates rounded to 6 decimals; gapmap dissolves them into districts.
- services.csv       67 illustrative services (58 day services, 9 managed PA services).
- people.csv         illustrative pseudonymised person records: 689 current people and
                     a waiting list, one row per person per lot.
- population.csv     population by district, age band and year: Census 2021 totals with
                     illustrative age shares and growth (see data/README.md).
- users_trend.csv    the committee report's users-by-age-band table.

Standard library only, deterministic: random.Random(2025) drives every draw, so running
the script twice writes byte-identical files. The ONS LSOA boundaries in
../shared/data/leicestershire-lsoa11/ are copied into data/lsoa11.geojson and used to
check that every generated point lies in the district it was made for. Points are also
kept inside a rough placement grid (~1 km cells, each given to the district of its nearest
settlement), which only steers where points go and is not written out.

Usage: python3 tools/make_sample.py [--shared PATH] [--out PATH]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import math
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

SEED = 2025
REPO_ROOT = Path(__file__).resolve().parent.parent

# --------------------------------------------------------------------------------------
# Fixed inputs
# --------------------------------------------------------------------------------------

CITY_CODE = "E06000016"
CITY_NAME = "Leicester"
LEICESTER = (52.6369, -1.1398)  # lat, lon

# Districts in code order: name, Census 2021 usual residents (rounded to 100), and
# settlements (name, lat, lon, rough size weight in thousands of residents; the weights
# only steer where illustrative people live, they are not statistics).
DISTRICTS = {
    "E07000129": ("Blaby", 102_900, [
        ("Narborough", 52.5730, -1.2020, 8.5),
        ("Enderby", 52.5950, -1.2090, 6.5),
        ("Blaby", 52.5750, -1.1640, 6.5),
        ("Whetstone", 52.5720, -1.1780, 6.5),
        ("Countesthorpe", 52.5540, -1.1390, 6.5),
        ("Glenfield", 52.6480, -1.2050, 9.5),
        ("Sapcote", 52.5380, -1.2590, 2.5),
        ("Stoney Stanton", 52.5500, -1.2750, 4.0),
    ]),
    "E07000130": ("Charnwood", 183_900, [
        ("Loughborough", 52.7721, -1.2062, 60.0),
        ("Shepshed", 52.7711, -1.2935, 14.0),
        ("Syston", 52.7005, -1.0780, 13.0),
        ("Anstey", 52.6727, -1.1886, 6.5),
        ("Quorn", 52.7449, -1.1705, 5.0),
        ("Sileby", 52.7312, -1.1068, 7.5),
        ("Rothley", 52.7100, -1.1370, 4.0),
        ("Queniborough", 52.7000, -1.0320, 3.0),
        ("Wymeswold", 52.8060, -1.1130, 1.2),
        ("Barrow upon Soar", 52.7520, -1.1500, 6.0),
    ]),
    "E07000131": ("Harborough", 97_600, [
        ("Market Harborough", 52.4775, -0.9208, 24.0),
        ("Lutterworth", 52.4559, -1.2006, 10.0),
        ("Broughton Astley", 52.5278, -1.2211, 9.0),
        ("Great Glen", 52.5757, -1.0340, 4.0),
        ("Kibworth", 52.5390, -0.9950, 6.0),
        ("Fleckney", 52.5360, -1.0430, 5.0),
        ("Husbands Bosworth", 52.4520, -1.0530, 1.2),
        ("Billesdon", 52.6160, -0.9210, 0.9),
        ("Tilton on the Hill", 52.6400, -0.8800, 0.5),
    ]),
    "E07000132": ("Hinckley and Bosworth", 113_700, [
        ("Hinckley", 52.5413, -1.3725, 48.0),
        ("Market Bosworth", 52.6236, -1.4005, 2.0),
        ("Earl Shilton", 52.5770, -1.3080, 10.0),
        ("Burbage", 52.5280, -1.3500, 16.0),
        ("Barwell", 52.5680, -1.3430, 9.0),
        ("Groby", 52.6640, -1.2280, 7.0),
        ("Ratby", 52.6450, -1.2400, 4.0),
        ("Desford", 52.6260, -1.2910, 4.0),
        ("Newbold Verdon", 52.6300, -1.3450, 3.0),
        ("Stoke Golding", 52.5700, -1.4100, 2.0),
    ]),
    "E07000133": ("Melton", 51_800, [
        ("Melton Mowbray", 52.7661, -0.8866, 28.0),
        ("Asfordby", 52.7631, -0.9531, 3.0),
        ("Bottesford", 52.9428, -0.8012, 3.5),
        ("Waltham on the Wolds", 52.8194, -0.8139, 1.0),
        ("Long Clawson", 52.8430, -0.9260, 1.1),
        ("Somerby", 52.6830, -0.8380, 0.6),
        ("Wymondham", 52.7600, -0.7400, 0.6),
    ]),
    "E07000134": ("North West Leicestershire", 104_700, [
        ("Coalville", 52.7225, -1.3700, 35.0),
        ("Ashby-de-la-Zouch", 52.7460, -1.4760, 13.0),
        ("Castle Donington", 52.8430, -1.3380, 7.0),
        ("Ibstock", 52.6870, -1.3990, 6.5),
        ("Measham", 52.7050, -1.5080, 5.0),
        ("Kegworth", 52.8340, -1.2780, 3.6),
        ("Whitwick", 52.7420, -1.3550, 9.0),
        ("Diseworth", 52.8200, -1.3100, 0.8),
    ]),
    "E07000135": ("Oadby and Wigston", 57_700, [
        ("Oadby", 52.6060, -1.0830, 23.0),
        ("Wigston", 52.5860, -1.1040, 20.0),
        ("South Wigston", 52.5800, -1.1330, 11.0),
    ]),
}
SETTLEMENTS = {
    name: (code, lat, lon)
    for code, (_, _, rows) in DISTRICTS.items()
    for name, lat, lon, _ in rows
}
SETTLEMENTS[CITY_NAME] = (CITY_CODE, LEICESTER[0], LEICESTER[1])
DISTRICT_CODES = list(DISTRICTS)
AREA_CODES = DISTRICT_CODES + [CITY_CODE]


def area_name(code: str) -> str:
    return CITY_NAME if code == CITY_CODE else DISTRICTS[code][0]


# Rough outlines (lon, lat) used only to decide which grid cells are county and which city.
COUNTY_OUTLINE = [
    (-1.33, 52.87), (-1.20, 52.90), (-1.10, 52.90), (-0.95, 52.93), (-0.82, 52.99),
    (-0.72, 52.92), (-0.67, 52.80), (-0.75, 52.70), (-0.83, 52.62), (-0.80, 52.53),
    (-0.85, 52.47), (-0.90, 52.43), (-1.05, 52.44), (-1.20, 52.40), (-1.30, 52.45),
    (-1.40, 52.50), (-1.47, 52.56), (-1.55, 52.62), (-1.60, 52.68), (-1.58, 52.75),
    (-1.52, 52.80), (-1.42, 52.84),
]
CITY_OUTLINE = [
    (-1.200, 52.640), (-1.195, 52.610), (-1.160, 52.598), (-1.120, 52.600),
    (-1.095, 52.615), (-1.060, 52.630), (-1.065, 52.660), (-1.100, 52.680),
    (-1.140, 52.690), (-1.185, 52.670),
]

# The grid, in integer microdegrees so vertices are exact.
GRID_LON0, GRID_LAT0 = -1_600_000, 52_390_000
GRID_DLON, GRID_DLAT = 16_000, 10_000
GRID_NX = math.ceil((-660_000 - GRID_LON0) / GRID_DLON)  # 59 columns, to -0.656
GRID_NY = math.ceil((52_990_000 - GRID_LAT0) / GRID_DLAT)  # 60 rows
COS_LAT = math.cos(math.radians(52.65))
KM_PER_DEG_LAT = 111.2
KM_PER_DEG_LON = 111.32 * COS_LAT

LOTS = ["ld_autism", "pmld", "physical_sensory", "mental_health", "older_adults", "dementia"]
PA_LOT = "managed_pa"

# 2025/26 band rates (committee report para 28; market page): full day, and hourly.
FULL_DAY_RATE = {"A": 32.36, "B": 52.44, "C": 78.42, "D": 157.40}
BAND_E_HOURLY = 17.14
BAND_F_HOURLY = 21.47

# --------------------------------------------------------------------------------------
# Providers and services (illustrative; names invented)
# --------------------------------------------------------------------------------------

PROVIDERS = {
    "PR01": "Soar Valley Day Opportunities CIC",
    "PR02": "Wreake Meadow Community Support Ltd",
    "PR03": "Swithland Slate Workshop CIC",
    "PR04": "Sence Valley Care Farm CIC",
    "PR05": "Ashby Canal Community Services Ltd",
    "PR06": "Welland Edge Day Services Ltd",
    "PR07": "Burbage Common Allotment Project CIC",
    "PR08": "Mease Green Life Skills CIC",
    "PR09": "Charnwood Ridge Support Partnership Ltd",
    "PR10": "Eye Brook Sensory Care CIC",
    "PR11": "Thornton Lakes Day Centre Ltd",
    "PR12": "Foxton Locks Craft Collective CIC",
    "PR13": "Fosse Way Daytime Activities Ltd",
    "PR14": "Gumley Wood Care Cooperative Ltd",
    "PR15": "Linford Barn Arts and Drama CIC",
    "PR16": "Snibston Works Training Academy CIC",
    "PR17": "Saddington Meadows Memory Club CIC",
    "PR18": "Cropston Water Wellbeing Centre Ltd",
    "PR19": "Castle Hill Dance and Movement CIC",
    "PR20": "Aylestone Wharf Day Opportunities Ltd",
    "PR21": "Wolds Edge Personal Assistants Ltd",
    "PR22": "Watling Street PA Agency Ltd",
    "PR23": "Hallaton Bottle PA Services Ltd",
    "PR24": "Trent Bank Managed PAs Ltd",
    "PR25": "Belvoir Vale PA Cooperative Ltd",
}

BB, CB, PA = "building_based", "community_based", "managed_pa"

# Day services: settlement, provider, type, lots, places per day, bands, status, name.
# Capacities are chosen so that, counting a multi-lot service's whole capacity towards
# each of its lots, supply roughly meets the district's current + waiting people, except
# PMLD in Charnwood, Harborough and Melton (market page: "shortages of services for people
# with profound and multiple learning disabilities across the County, but especially in
# Market Harborough, Melton Mowbray and Loughborough"), dementia in Melton and mental
# health in North West Leicestershire.
DAY_SERVICES = [
    # Charnwood (11)
    ("Loughborough", "PR01", BB, "ld_autism;physical_sensory", 14, "B;C;D;E", "active", "Loughborough Hub"),
    ("Loughborough", "PR09", BB, "ld_autism", 16, "B;C;D;E", "active", "Ridge House Loughborough"),
    ("Loughborough", "PR03", CB, "ld_autism;mental_health", 11, "B;C", "active", "Slate and Wood Workshop Loughborough"),
    ("Loughborough", "PR18", BB, "pmld", 5, "C;D;E", "active", "Loughborough Sensory Room"),
    ("Shepshed", "PR01", CB, "ld_autism", 12, "B;C;D", "active", "Shepshed Community Allotment"),
    ("Syston", "PR17", BB, "older_adults;dementia", 9, "B;C;D;E", "active", "Syston Memory Club"),
    ("Anstey", "PR15", CB, "ld_autism", 10, "A;B;C", "active", "Anstey Drama and Music"),
    ("Quorn", "PR04", CB, "ld_autism", 9, "B;C;D", "active", "Quorn Care Farm"),
    ("Barrow upon Soar", "PR18", CB, "older_adults", 4, "B;C", "active", "Barrow Over-55s Cafe Club"),
    ("Sileby", "PR02", CB, "ld_autism", 12, "B;C;D;E", "active", "Sileby Garden Nursery"),
    ("Rothley", "PR10", BB, "pmld", 3, "C;D;E", "active", "Rothley Sensory Studio"),
    # Harborough (6)
    ("Market Harborough", "PR06", BB, "ld_autism;physical_sensory", 9, "B;C;D;E", "active", "Welland Edge Market Harborough"),
    ("Market Harborough", "PR12", CB, "ld_autism;mental_health", 8, "B;C", "active", "Market Harborough Craft Studio"),
    ("Market Harborough", "PR10", BB, "pmld", 5, "C;D;E", "active", "Market Harborough Sensory Base"),
    ("Lutterworth", "PR13", BB, "ld_autism", 14, "B;C;D;E", "active", "Lutterworth Skills Centre"),
    ("Broughton Astley", "PR17", CB, "older_adults;dementia", 6, "B;C;D", "active", "Broughton Astley Memory Cafe"),
    ("Kibworth", "PR14", CB, "ld_autism", 12, "B;C;D", "active", "Kibworth Smallholding"),
    # Melton (4)
    ("Melton Mowbray", "PR02", BB, "ld_autism;physical_sensory", 15, "B;C;D;E", "active", "Wreake House Melton"),
    ("Melton Mowbray", "PR08", CB, "ld_autism;mental_health", 8, "B;C", "active", "Melton Bakery Project"),
    ("Melton Mowbray", "PR10", BB, "pmld", 3, "C;D;E", "active", "Melton Sensory Room"),
    ("Asfordby", "PR17", CB, "older_adults;dementia", 3, "B;C;D", "active", "Asfordby Memory Cafe"),
    # Hinckley and Bosworth (8)
    ("Hinckley", "PR11", BB, "pmld;ld_autism", 14, "C;D;E", "active", "Thornton Lakes Hinckley"),
    ("Hinckley", "PR07", CB, "ld_autism;mental_health", 8, "B;C", "active", "Hinckley Allotment Project"),
    ("Hinckley", "PR13", BB, "ld_autism;older_adults", 10, "B;C;D;E", "closed", "Fosse Way Hinckley Centre"),
    ("Earl Shilton", "PR07", CB, "ld_autism", 10, "B;C;D", "active", "Earl Shilton Woodwork Shop"),
    ("Burbage", "PR19", BB, "older_adults;dementia", 8, "B;C;D;E", "active", "Burbage Movement and Memory"),
    ("Market Bosworth", "PR04", CB, "ld_autism;physical_sensory", 9, "B;C;D", "active", "Bosworth Care Farm"),
    ("Groby", "PR15", CB, "ld_autism", 8, "B;C", "active", "Groby Arts Studio"),
    ("Barwell", "PR07", BB, "ld_autism;physical_sensory", 6, "B;C;D;E", "active", "Barwell Day Base"),
    # North West Leicestershire (8)
    ("Coalville", "PR16", BB, "pmld;physical_sensory", 14, "C;D;E", "active", "Snibston Works Sensory Centre"),
    ("Coalville", "PR16", CB, "ld_autism", 14, "B;C;D", "active", "Snibston Works Training Academy"),
    ("Ashby-de-la-Zouch", "PR05", BB, "ld_autism;older_adults", 12, "B;C;D;E", "active", "Ashby Canal Day Centre"),
    ("Castle Donington", "PR05", CB, "ld_autism", 8, "B;C", "active", "Castle Donington Garden Project"),
    ("Ibstock", "PR08", CB, "ld_autism;mental_health", 5, "B;C", "active", "Ibstock Life Skills Kitchen"),
    ("Measham", "PR08", CB, "ld_autism", 7, "B;C;D", "active", "Measham Workshop"),
    ("Whitwick", "PR17", BB, "dementia", 5, "B;C;D;E", "active", "Whitwick Memory Club"),
    ("Kegworth", "PR03", CB, "ld_autism", 6, "B;C", "active", "Kegworth Craft Workshop"),
    # Blaby (7)
    ("Enderby", "PR13", BB, "pmld;physical_sensory", 14, "C;D;E", "active", "Fosse Way Enderby Sensory Centre"),
    ("Narborough", "PR13", CB, "ld_autism;mental_health", 10, "B;C", "active", "Narborough Community Cafe"),
    ("Glenfield", "PR19", BB, "ld_autism", 14, "B;C;D;E", "active", "Glenfield Dance and Day Centre"),
    ("Blaby", "PR12", CB, "ld_autism", 12, "B;C;D", "active", "Blaby Craft Collective"),
    ("Whetstone", "PR17", BB, "older_adults;dementia", 7, "B;C;D;E", "active", "Whetstone Memory Club"),
    ("Countesthorpe", "PR14", CB, "ld_autism", 10, "B;C;D", "active", "Countesthorpe Growing Space"),
    ("Stoney Stanton", "PR04", CB, "ld_autism", 7, "B;C", "closed", "Stoney Stanton Farm Project"),
    # Oadby and Wigston (4)
    ("Wigston", "PR20", BB, "pmld;ld_autism", 8, "C;D;E", "active", "Wigston Sensory Day Centre"),
    ("Oadby", "PR01", CB, "ld_autism;mental_health", 10, "B;C", "active", "Oadby Community Workshop"),
    ("South Wigston", "PR11", BB, "ld_autism;physical_sensory", 9, "B;C;D;E", "active", "South Wigston Day Centre"),
    ("Oadby", "PR19", BB, "older_adults;dementia", 6, "B;C;D;E", "active", "Oadby Memory and Movement"),
    # Leicester city (10): outside the county council's area, used by county residents
    (CITY_NAME, "PR20", BB, "pmld;ld_autism", 20, "C;D;E", "active", "Aylestone Wharf Sensory Centre"),
    (CITY_NAME, "PR11", BB, "pmld;physical_sensory", 16, "C;D;E", "active", "Thornton Lakes City Centre Base"),
    (CITY_NAME, "PR20", CB, "ld_autism", 15, "B;C;D", "active", "Aylestone Wharf Training Kitchen"),
    (CITY_NAME, "PR18", CB, "mental_health", 10, "B;C", "active", "Cropston Water City Wellbeing Group"),
    (CITY_NAME, "PR09", BB, "ld_autism;physical_sensory", 18, "B;C;D;E", "active", "Ridge House Leicester"),
    (CITY_NAME, "PR15", CB, "ld_autism", 12, "B;C", "active", "Linford Barn City Dance School"),
    (CITY_NAME, "PR19", BB, "older_adults;dementia", 12, "B;C;D;E", "active", "Castle Hill Memory Centre"),
    (CITY_NAME, "PR03", CB, "ld_autism;mental_health", 10, "B;C", "active", "Swithland City Woodwork Shop"),
    (CITY_NAME, "PR06", BB, "ld_autism", 14, "B;C;D;E", "active", "Welland Edge Leicester"),
    (CITY_NAME, "PR12", CB, "ld_autism", 10, "B;C", "active", "Foxton Locks City Craft Studio"),
]

# Managed PA services: settlement, provider, PA hours per week, name. Melton has none and
# Harborough one small service, so PA cover is short in the east (market page: "increase
# the availability of managed PA services, especially across the eastern parts").
PA_SERVICES = [
    ("Loughborough", "PR09", 230, "Charnwood Ridge Managed PAs"),
    ("Syston", "PR21", 180, "Wolds Edge PAs Syston"),
    ("Hinckley", "PR22", 240, "Watling Street PAs Hinckley"),
    ("Coalville", "PR05", 210, "Ashby Canal Managed PAs"),
    ("Narborough", "PR23", 240, "Hallaton Bottle PAs Narborough"),
    ("Oadby", "PR24", 120, "Trent Bank PAs Oadby"),
    ("Lutterworth", "PR14", 60, "Gumley Wood PAs Lutterworth"),
    (CITY_NAME, "PR02", 200, "Wreake Meadow City PAs"),
    (CITY_NAME, "PR25", 160, "Belvoir Vale PAs Leicester"),
]

# --------------------------------------------------------------------------------------
# People (illustrative; calibrated to the committee report, June 2025)
# --------------------------------------------------------------------------------------

DAY_PEOPLE = {  # lot: {band: rows}; totals 290/85/50/40/45/31 = 541
    "ld_autism": {"A": 1, "B": 30, "C": 189, "D": 70},
    "pmld": {"C": 10, "D": 75},
    "physical_sensory": {"B": 3, "C": 35, "D": 12},
    "mental_health": {"B": 10, "C": 28, "D": 2},
    "older_adults": {"B": 3, "C": 36, "D": 6},
    "dementia": {"B": 1, "C": 26, "D": 4},
}
BAND_E_ROWS = {"C": 60, "D": 72}  # 132 rows with band E hours
PA_ONLY_NEEDS = {"ld_autism": 128, "mental_health": 8, "physical_sensory": 10, "dementia": 2}
DAY_AND_PA = 30  # ld_autism day people who also have a PA row
AGE_65_PLUS = {"older_adults": 40, "dementia": 28, "physical_sensory": 10, "ld_autism": 6}

# Waiting (status waiting): lot -> {district: people}
WAITING = {
    "pmld": {"E07000130": 9, "E07000131": 8, "E07000133": 6, "E07000132": 2,
             "E07000129": 2, "E07000134": 1},
    PA_LOT: {"E07000131": 9, "E07000133": 7, "E07000130": 3, "E07000129": 2,
             "E07000132": 1, "E07000134": 2, "E07000135": 1},
    "ld_autism": {"E07000129": 3, "E07000130": 4, "E07000131": 3, "E07000132": 3,
                  "E07000133": 2, "E07000134": 3, "E07000135": 2},
    "dementia": {"E07000133": 3},
}

DAYS_WEIGHTS = {0.5: 3, 1.0: 16, 1.5: 4, 2.0: 27, 2.5: 6, 3.0: 21, 3.5: 3, 4.0: 10, 4.5: 1, 5.0: 9}
PA_HOURS_WEIGHTS = {3: 9, 4: 12, 5: 12, 6: 14, 7: 11, 8: 12, 9: 6, 10: 8, 12: 5, 14: 3,
                    15: 3, 16: 2, 18: 2, 20: 1}
E_HOURS_WEIGHTS = {1: 10, 2: 25, 3: 25, 4: 20, 5: 10, 6: 10}

USERS_TREND = [  # committee report para 11
    ("Aug-20", "2020-08-01", 558, 144),
    ("May-21", "2021-05-01", 515, 128),
    ("Jun-22", "2022-06-01", 534, 117),
    ("Jun-23", "2023-06-01", 551, 101),
    ("Jun-24", "2024-06-01", 556, 96),
    ("Jun-25", "2025-06-01", 605, 84),
]
# Population by district, age band and year (population.csv): Census 2021 district totals
# times an age share, grown from 2021 at a constant annual rate. Only the totals, the 65+
# shares and the rates' inputs are published statistics; the file is illustrative (see
# data/README.md for the derivation).
SHARE_18_64 = 0.59  # assumed, county-wide
SHARE_65_PLUS = 0.186  # Census 2021, England and Wales: 18.6% aged 65 and over
SHARE_65_PLUS_BY_DISTRICT = {"E07000131": 0.221}  # Census 2021, Harborough: 22.1%
# Annual growth from ONS 2018-based SNPP (bulletin, 24 March 2020): England's share aged
# 65+ 18.2% (mid-2018) to 20.7% (mid-2028); East Midlands population +7% over that decade.
GROWTH_65_PLUS = (0.207 / 0.182 * 1.07) ** 0.1 - 1  # 1.98% a year
GROWTH_18_64 = ((1 - 0.207) / (1 - 0.182) * 1.07) ** 0.1 - 1  # 0.37% a year (under 65s)
POPULATION_YEARS = (2025, 2030, 2035, 2040)


class CheckFailed(Exception):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


# --------------------------------------------------------------------------------------
# Geometry
# --------------------------------------------------------------------------------------

def point_in_ring(x: float, y: float, ring) -> bool:
    inside = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y):
            if x < xi + (y - yi) * (xj - xi) / (yj - yi):
                inside = not inside
        j = i
    return inside


def point_in_polygon(x: float, y: float, rings) -> bool:
    """Even-odd over all rings: outer ring and holes."""
    inside = False
    for ring in rings:
        if point_in_ring(x, y, ring):
            inside = not inside
    return inside


def km_to_boundary(x: float, y: float, rings) -> float:
    best = math.inf
    px, py = x * KM_PER_DEG_LON, y * KM_PER_DEG_LAT
    for ring in rings:
        n = len(ring)
        for k in range(n):
            ax, ay = ring[k][0] * KM_PER_DEG_LON, ring[k][1] * KM_PER_DEG_LAT
            bx, by = ring[(k + 1) % n][0] * KM_PER_DEG_LON, ring[(k + 1) % n][1] * KM_PER_DEG_LAT
            dx, dy = bx - ax, by - ay
            t = ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)
            t = max(0.0, min(1.0, t))
            best = min(best, math.hypot(px - ax - t * dx, py - ay - t * dy))
    return best


def offset(lat: float, lon: float, north_km: float, east_km: float) -> tuple[float, float]:
    return lat + north_km / KM_PER_DEG_LAT, lon + east_km / KM_PER_DEG_LON


class AreaIndex:
    """Point-in-polygon lookup over (code, polygons) with a bucket grid of bounding boxes."""

    BUCKET = 0.02

    def __init__(self, items):
        self.items = []
        self.buckets = defaultdict(list)
        for code, polygons in items:
            xs = [p[0] for poly in polygons for ring in poly for p in ring]
            ys = [p[1] for poly in polygons for ring in poly for p in ring]
            bbox = (min(xs), min(ys), max(xs), max(ys))
            index = len(self.items)
            self.items.append((code, polygons, bbox))
            for bx in range(math.floor(bbox[0] / self.BUCKET), math.floor(bbox[2] / self.BUCKET) + 1):
                for by in range(math.floor(bbox[1] / self.BUCKET), math.floor(bbox[3] / self.BUCKET) + 1):
                    self.buckets[(bx, by)].append(index)

    def codes_at(self, lon: float, lat: float) -> list[str]:
        key = (math.floor(lon / self.BUCKET), math.floor(lat / self.BUCKET))
        hits = []
        for index in self.buckets.get(key, ()):
            code, polygons, (x0, y0, x1, y1) = self.items[index]
            if x0 <= lon <= x1 and y0 <= lat <= y1:
                if any(point_in_polygon(lon, lat, poly) for poly in polygons):
                    hits.append(code)
        return hits


def geojson_polygons(geometry) -> list:
    if geometry["type"] == "Polygon":
        raw = [geometry["coordinates"]]
    elif geometry["type"] == "MultiPolygon":
        raw = geometry["coordinates"]
    else:
        raise CheckFailed(f"unexpected geometry type {geometry['type']}")
    return [[[(p[0], p[1]) for p in ring] for ring in poly] for poly in raw]


class RealGeography:
    """The ONS LSOA 2011 boundaries, read only to check points."""

    def __init__(self, shared: Path):
        folder = shared / "leicestershire-lsoa11"
        county_path = folder / "leicestershire-lsoa11.geojson"
        city_path = folder / f"{CITY_CODE}.geojson"
        for path in (county_path, city_path):
            if not path.is_file():
                sys.exit(f"make_sample: cannot read {path}; pass --shared pointing at the folder "
                         f"holding leicestershire-lsoa11/")
        county = json.loads(county_path.read_text(encoding="utf-8"))
        city = json.loads(city_path.read_text(encoding="utf-8"))
        items = [(f["properties"]["LAD11CD"], geojson_polygons(f["geometry"])) for f in county["features"]]
        items += [(CITY_CODE, geojson_polygons(f["geometry"])) for f in city["features"]]
        self.index = AreaIndex(items)

    def area_at(self, lon: float, lat: float) -> str | None:
        codes = set(self.index.codes_at(lon, lat))
        return codes.pop() if len(codes) == 1 else None


def cut_loops(pts):
    """Splits a closed ring that passes some vertex twice into a ring that does not and
    the closed loops cut out of it."""
    loops = []
    while True:
        seen = {}
        for i, q in enumerate(pts[:-1]):
            if q in seen:
                j = seen[q]
                loops.append(pts[j:i + 1])
                pts = pts[:j] + pts[i:]
                break
            seen[q] = i
        else:
            return pts, loops


def lsoa_text(shared: Path) -> str:
    """The county's LSOAs as data/lsoa11.geojson: sorted by code, properties LSOA11CD,
    LSOA11NM, LAD11CD, LAD11NM, coordinates rounded to 6 decimals (about 0.1 m) with
    repeated positions dropped, outer rings counter-clockwise and holes clockwise, one
    feature a line. No vertex is moved further than the rounding."""
    data = json.loads((shared / "leicestershire-lsoa11" / "leicestershire-lsoa11.geojson").read_text(encoding="utf-8"))
    features = sorted(data["features"], key=lambda f: f["properties"]["LSOA11CD"])
    check(len(features) == 396, f"{len(features)} county LSOAs, expected 396")
    check(sorted({f["properties"]["LAD11CD"] for f in features}) == DISTRICT_CODES, "LSOAs' districts")
    lines = []
    for f in features:
        props = f["properties"]
        name = props["LSOA11NM"]
        check(props["LAD11NM"] == DISTRICTS[props["LAD11CD"]][0], f"{name}: district name")
        polys = []
        for poly in geojson_polygons(f["geometry"]):
            rings, extra = [], []
            for k, ring in enumerate(poly):
                pts = []
                for x, y in ring:
                    q = (round(x * 1e6), round(y * 1e6))
                    if not pts or pts[-1] != q:
                        pts.append(q)
                check(pts[0] == pts[-1], f"{name}: ring not closed")
                # A ring that passes a vertex twice (one ONS LSOA, Hinckley and Bosworth
                # 009C, has a small loop so) is split there: the loop becomes a hole if it
                # lies inside the rest of an outer ring, else a part of its own.
                main, loops = cut_loops(pts)
                for loop in loops:
                    cx = sum(x for x, _ in loop[:-1]) / (len(loop) - 1)
                    cy = sum(y for _, y in loop[:-1]) / (len(loop) - 1)
                    check(k == 0, f"{name}: a hole passes a vertex twice")
                    if point_in_ring(cx, cy, main):
                        extra.append(("hole", loop))
                    else:
                        extra.append(("part", loop))
                rings.append(main)
            rings += [loop for kind, loop in extra if kind == "hole"]
            pieces = [rings] + [[loop] for kind, loop in extra if kind == "part"]
            for piece in pieces:
                texts = []
                for k, pts in enumerate(piece):
                    check(len(pts) >= 4, f"{name}: ring of {len(pts)} positions")
                    area2 = sum(pts[m - 1][0] * pts[m][1] - pts[m][0] * pts[m - 1][1] for m in range(1, len(pts)))
                    check(area2 != 0, f"{name}: ring of zero area")
                    if (area2 > 0) != (k == 0):
                        pts = pts[::-1]
                    texts.append("[" + ",".join(f"[{micro_to_text(x)},{micro_to_text(y)}]" for x, y in pts) + "]")
                polys.append("[" + ",".join(texts) + "]")
        if len(polys) == 1:
            geometry = '{"type":"Polygon","coordinates":' + polys[0] + "}"
        else:
            geometry = '{"type":"MultiPolygon","coordinates":[' + ",".join(polys) + "]}"
        keep = {k: props[k] for k in ("LSOA11CD", "LSOA11NM", "LAD11CD", "LAD11NM")}
        lines.append('{"type":"Feature","properties":' + json.dumps(keep, separators=(",", ":"))
                     + ',"geometry":' + geometry + "}")
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


# --------------------------------------------------------------------------------------
# Placement grid: grid cells, nearest settlement, dissolve (steers points; not written)
# --------------------------------------------------------------------------------------

def cell_centre(i: int, j: int) -> tuple[float, float]:
    return ((GRID_LON0 + (i + 0.5) * GRID_DLON) / 1e6, (GRID_LAT0 + (j + 0.5) * GRID_DLAT) / 1e6)


def nearest_district(lon: float, lat: float) -> str:
    best = None
    for code, (_, _, rows) in DISTRICTS.items():
        for _, slat, slon, _ in rows:
            d = math.hypot((lon - slon) * COS_LAT, lat - slat)
            if best is None or d < best[0]:
                best = (d, code)
    return best[1]


def assign_cells() -> dict[str, list[tuple[int, int]]]:
    cells = {code: [] for code in DISTRICT_CODES}
    for i in range(GRID_NX):
        for j in range(GRID_NY):
            lon, lat = cell_centre(i, j)
            if point_in_ring(lon, lat, COUNTY_OUTLINE) and not point_in_ring(lon, lat, CITY_OUTLINE):
                cells[nearest_district(lon, lat)].append((i, j))
    return cells


def next_edge(edge, outgoing):
    """The boundary edge after `edge`: the leftmost turn, so each ring hugs its own cells
    where two cells of one district touch only at a corner."""
    (ax, ay), (bx, by) = edge
    dx, dy = bx - ax, by - ay
    best = None
    for c in outgoing[(bx, by)]:
        ex, ey = c[0] - bx, c[1] - by
        cross = dx * ey - dy * ex
        rank = 0 if cross > 0 else (1 if cross == 0 else 2)
        if best is None or rank < best[0]:
            best = (rank, ((bx, by), c))
    return best[1]


def split_at_repeats(vertices):
    """Split a closed vertex cycle wherever it passes a vertex twice, so no ring touches
    itself (a C-shape closed at a corner becomes an outer ring and a hole touching it)."""
    rings, path, position = [], [], {}
    for v in vertices:
        if v in position:
            k = position[v]
            rings.append(path[k:])
            for w in path[k + 1:]:
                del position[w]
            path = path[:k + 1]
        else:
            position[v] = len(path)
            path.append(v)
    rings.append(path)
    return [r for r in rings if len(r) >= 4]


def drop_collinear(ring):
    n = len(ring)
    kept = []
    for k in range(n):
        (px, py), (vx, vy), (qx, qy) = ring[k - 1], ring[k], ring[(k + 1) % n]
        if (vx - px) * (qy - vy) - (vy - py) * (qx - vx) != 0:
            kept.append(ring[k])
    return kept


def twice_area(ring) -> int:
    return sum(ring[k - 1][0] * ring[k][1] - ring[k][0] * ring[k - 1][1] for k in range(len(ring)))


def dissolve(cells) -> list[list[list[tuple[int, int]]]]:
    """Union of unit cells (i, j) as polygons [outer, hole, ...] in grid coordinates,
    outer rings counter-clockwise and holes clockwise."""
    edges = set()
    for i, j in cells:
        corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)]
        for k in range(4):
            edges.add((corners[k], corners[(k + 1) % 4]))
    boundary = sorted(e for e in edges if (e[1], e[0]) not in edges)
    outgoing = defaultdict(list)
    for a, b in boundary:
        outgoing[a].append(b)
    used = set()
    rings = []
    for start in boundary:
        if start in used:
            continue
        vertices, edge = [], start
        while edge not in used:
            used.add(edge)
            vertices.append(edge[0])
            edge = next_edge(edge, outgoing)
        check(edge == start, "dissolve: boundary walk did not close")
        for ring in split_at_repeats(vertices):
            ring = drop_collinear(ring)
            k = ring.index(min(ring))
            rings.append(ring[k:] + ring[:k])
    outers = [r for r in rings if twice_area(r) > 0]
    holes = [r for r in rings if twice_area(r) < 0]
    polygons = [[r] for r in sorted(outers, key=lambda r: (-twice_area(r), r[0]))]
    for hole in sorted(holes, key=lambda r: r[0]):
        # Midpoint of one vertical edge of the hole: on no other ring, never level with a vertex.
        for k in range(len(hole)):
            a, b = hole[k], hole[(k + 1) % len(hole)]
            if a[0] == b[0]:
                px, py = a[0], (a[1] + b[1]) / 2
                break
        owners = [p for p in polygons if point_in_ring(px, py, p[0])]
        check(bool(owners), "dissolve: a hole lies in no outer ring")
        min(owners, key=lambda p: twice_area(p[0])).append(hole)
    return polygons


def grid_to_lonlat(v) -> tuple[int, int]:
    return (GRID_LON0 + v[0] * GRID_DLON, GRID_LAT0 + v[1] * GRID_DLAT)


def micro_to_text(value: int) -> str:
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(value), 1_000_000)
    text = f"{sign}{whole}.{frac:06d}".rstrip("0").rstrip(".")
    return text


def build_districts():
    """Returns {code: polygons in float lon/lat} and the GeoJSON text."""
    cells = assign_cells()
    lonlat = {}
    features = []
    for code in DISTRICT_CODES:
        check(bool(cells[code]), f"district {code} got no cells")
        polygons = dissolve(cells[code])
        micro = [[[grid_to_lonlat(v) for v in ring] for ring in poly] for poly in polygons]
        lonlat[code] = [[[(x / 1e6, y / 1e6) for x, y in ring] for ring in poly] for poly in micro]
        text_polys = []
        for poly in micro:
            text_rings = []
            for ring in poly:
                closed = ring + [ring[0]]
                text_rings.append("[" + ",".join(f"[{micro_to_text(x)},{micro_to_text(y)}]" for x, y in closed) + "]")
            text_polys.append("[" + ",".join(text_rings) + "]")
        if len(text_polys) == 1:
            geometry = '{"type":"Polygon","coordinates":' + text_polys[0] + "}"
        else:
            geometry = '{"type":"MultiPolygon","coordinates":[' + ",".join(text_polys) + "]}"
        properties = json.dumps({"LAD24CD": code, "LAD24NM": DISTRICTS[code][0]}, separators=(",", ":"))
        features.append('{"type":"Feature","properties":' + properties + ',"geometry":' + geometry + "}")
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(features) + "\n]}\n"
    return cells, lonlat, text


class PlacementGrid:
    def __init__(self, lonlat):
        self.lonlat = lonlat
        self.index = AreaIndex([(code, polys) for code, polys in lonlat.items()])

    def area_at(self, lon: float, lat: float) -> str | None:
        """District code; CITY_CODE in the city hole; None outside or ambiguous."""
        codes = self.index.codes_at(lon, lat)
        if len(codes) == 1:
            return codes[0]
        if not codes and point_in_ring(lon, lat, CITY_OUTLINE):
            return CITY_CODE
        return None


def check_districts(grid: PlacementGrid, text: str) -> None:
    data = json.loads(text)
    check(len(data["features"]) == 7 and "crs" not in data, "districts.geojson: 7 features, no crs")
    for feature in data["features"]:
        geometry = feature["geometry"]
        polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        for poly in polys:
            for k, ring in enumerate(poly):
                check(ring[0] == ring[-1], "ring not closed")
                open_ring = [tuple(p) for p in ring[:-1]]
                check(len(set(open_ring)) == len(open_ring), f"{feature['properties']}: ring touches itself")
                area = sum(open_ring[m - 1][0] * open_ring[m][1] - open_ring[m][0] * open_ring[m - 1][1]
                           for m in range(len(open_ring)))
                check((area > 0) == (k == 0), f"{feature['properties']}: ring {k} wrongly oriented")
    for name, (code, lat, lon) in SETTLEMENTS.items():
        hits = grid.index.codes_at(lon, lat)
        if code == CITY_CODE:
            check(hits == [], f"Leicester ({lat}, {lon}) lies in district {hits}")
            continue
        check(hits == [code], f"settlement {name} should be in {code} only, found in {hits}")
        gap = min(km_to_boundary(lon, lat, poly) for poly in grid.lonlat[code])
        check(gap > 0.01, f"settlement {name} lies on its district's boundary")
    for label, north, east in (("N", 8, 0), ("S", -8, 0), ("E", 0, 8), ("W", 0, -8)):
        lat, lon = offset(LEICESTER[0], LEICESTER[1], north, east)
        hits = grid.index.codes_at(lon, lat)
        check(len(hits) == 1, f"8 km {label} of Leicester ({lat:.4f}, {lon:.4f}) lies in {hits}")


# --------------------------------------------------------------------------------------
# Placing points
# --------------------------------------------------------------------------------------

class Placer:
    def __init__(self, grid: PlacementGrid, real: RealGeography):
        self.grid = grid
        self.real = real

    def agrees(self, lat: float, lon: float, code: str, margin_km: float) -> bool:
        probes = [(0.0, 0.0)]
        if margin_km > 0:
            for k in range(8):
                a = math.pi * k / 4
                probes.append((margin_km * math.sin(a), margin_km * math.cos(a)))
        for north, east in probes:
            plat, plon = offset(lat, lon, north, east)
            if self.grid.area_at(plon, plat) != code or self.real.area_at(plon, plat) != code:
                return False
        return True

    def near(self, rng: random.Random, settlement: str, sigma_km: float, max_km: float,
             margin_km: float, decimals: int, tries: int = 2000):
        code, slat, slon = SETTLEMENTS[settlement]
        for _ in range(tries):
            north, east = rng.gauss(0, sigma_km), rng.gauss(0, sigma_km)
            if math.hypot(north, east) > max_km:
                continue
            lat, lon = offset(slat, slon, north, east)
            lat, lon = round(lat, decimals), round(lon, decimals)
            if self.agrees(lat, lon, code, margin_km):
                return lat, lon
        return None


# --------------------------------------------------------------------------------------
# Services
# --------------------------------------------------------------------------------------

def build_services(rng: random.Random, placer: Placer):
    rows = []
    specs = list(DAY_SERVICES)
    specs += [(s, p, PA, PA_LOT, hours, "F", "active", name) for s, p, hours, name in PA_SERVICES]
    for number, (settlement, provider, kind, lots, capacity, bands, status, name) in enumerate(specs, 1):
        city = settlement == CITY_NAME
        point = placer.near(rng, settlement, sigma_km=1.2 if city else 0.6, max_km=3.0 if city else 1.5,
                            margin_km=0.3, decimals=5)
        check(point is not None, f"could not place service {name} near {settlement}")
        if kind == PA:
            users = round(capacity / 8)
        elif status == "active":
            users = rng.randint(math.ceil(0.7 * capacity), capacity)
        else:
            users = 0
        rows.append({
            "service_id": f"SV{number:03d}",
            "provider_id": provider,
            "provider_name": PROVIDERS[provider],
            "service_name": name,
            "service_type": kind,
            "lots": lots,
            "latitude": f"{point[0]:.5f}",
            "longitude": f"{point[1]:.5f}",
            "capacity": str(capacity),
            "current_users": str(users),
            "bands": bands,
            "status": status,
            "_area": SETTLEMENTS[settlement][0],
        })
    return rows


def check_services(rows, placer: Placer) -> None:
    check(len(rows) == 67, "67 services")
    day = [r for r in rows if r["service_type"] != PA]
    pa = [r for r in rows if r["service_type"] == PA]
    check(len(day) == 58 and len(pa) == 9, "58 day services and 9 PA services")
    check(len({r["provider_id"] for r in rows}) == 25, "25 providers")
    pa_providers = {r["provider_id"] for r in pa}
    day_providers = {r["provider_id"] for r in day}
    check(len(pa_providers) == 9, "9 PA providers")
    check(pa_providers & day_providers and pa_providers - day_providers, "PA providers: some mixed, some PA only")
    check(sum(r["status"] == "closed" for r in rows) == 2, "two closed services")
    check(any(r["status"] == "closed" and r["_area"] == "E07000132" for r in rows), "one closed in Hinckley")
    check(len({r["service_name"] for r in rows}) == 67, "service names unique")
    for r in day:
        lots = r["lots"].split(";")
        check(1 <= len(lots) <= 3 and all(l in LOTS for l in lots), f"{r['service_id']} lots")
        users, cap = int(r["current_users"]), int(r["capacity"])
        if r["status"] == "active":
            check(0.7 * cap <= users <= cap, f"{r['service_id']} current users")
    for r in rows:
        lat, lon = float(r["latitude"]), float(r["longitude"])
        check(placer.grid.area_at(lon, lat) == r["_area"], f"{r['service_id']} placement grid area")
        check(placer.real.area_at(lon, lat) == r["_area"], f"{r['service_id']} real area")


# --------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------

def largest_remainder(total: int) -> dict[str, int]:
    pops = {code: DISTRICTS[code][1] for code in DISTRICT_CODES}
    whole = sum(pops.values())
    quotas = {code: total * p / whole for code, p in pops.items()}
    counts = {code: int(q) for code, q in quotas.items()}
    rest = total - sum(counts.values())
    for code in sorted(quotas, key=lambda c: (-(quotas[c] - counts[c]), c))[:rest]:
        counts[code] += 1
    return counts


def weighted(rng: random.Random, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def person_id(serial: int) -> str:
    return "P" + hashlib.sha256(f"gapmap-sample-{SEED}-person-{serial}".encode()).hexdigest()[:10]


def fmt_num(value) -> str:
    if value is None:
        return ""
    return f"{value:g}"


def day_row(rng, band):
    days = 0.5 if band == "A" else weighted(rng, DAYS_WEIGHTS)
    return {"band": band, "days_per_week": days, "hours_per_week": None, "additional_hours_per_week": None}


def pa_row(rng):
    return {"band": "F", "days_per_week": None, "hours_per_week": weighted(rng, PA_HOURS_WEIGHTS),
            "additional_hours_per_week": None}


def build_people(rng: random.Random, placer: Placer):
    persons = []  # dicts: primary_need, district, age_band, status, rows [(lot, row)]

    # Current: day people, by lot, spread over districts by population.
    for lot, bands in DAY_PEOPLE.items():
        band_list = [b for b, n in bands.items() for _ in range(n)]
        rng.shuffle(band_list)
        districts = [c for c, n in largest_remainder(len(band_list)).items() for _ in range(n)]
        for band, district in zip(band_list, districts):
            persons.append({"primary_need": lot, "district": district, "status": "current",
                            "rows": [(lot, day_row(rng, band))]})
    # Band E hours on exactly 132 of the C and D rows.
    for band, n in BAND_E_ROWS.items():
        eligible = [p for p in persons if p["rows"][0][1]["band"] == band]
        for p in rng.sample(eligible, n):
            p["rows"][0][1]["additional_hours_per_week"] = weighted(rng, E_HOURS_WEIGHTS)
    # 30 ld_autism day people also have a PA row.
    for p in rng.sample([p for p in persons if p["primary_need"] == "ld_autism"], DAY_AND_PA):
        p["rows"].append((PA_LOT, pa_row(rng)))
    # PA-only people: districts by population over all 148, needs shuffled across them.
    needs = [n for n, k in PA_ONLY_NEEDS.items() for _ in range(k)]
    rng.shuffle(needs)
    districts = [c for c, n in largest_remainder(len(needs)).items() for _ in range(n)]
    for need, district in zip(needs, districts):
        persons.append({"primary_need": need, "district": district, "status": "current",
                        "rows": [(PA_LOT, pa_row(rng))]})
    # Ages.
    for p in persons:
        p["age_band"] = "18-64"
    for need, n in AGE_65_PLUS.items():
        for p in rng.sample([p for p in persons if p["primary_need"] == need], n):
            p["age_band"] = "65+"

    # Waiting list.
    for lot, by_district in WAITING.items():
        for district, n in by_district.items():
            for _ in range(n):
                if lot == PA_LOT:
                    need = weighted(rng, {"ld_autism": 8, "mental_health": 1, "physical_sensory": 1})
                    row = pa_row(rng)
                else:
                    need = lot
                    if lot == "pmld":
                        band = weighted(rng, {"D": 8, "C": 2})
                    elif lot == "dementia":
                        band = "C"
                    else:
                        band = weighted(rng, {"B": 3, "C": 6, "D": 1})
                    row = day_row(rng, band)
                    if band in ("C", "D") and rng.random() < (0.5 if band == "D" else 0.15):
                        row["additional_hours_per_week"] = weighted(rng, E_HOURS_WEIGHTS)
                persons.append({"primary_need": need, "district": district, "status": "waiting",
                                "age_band": "65+" if need == "dementia" else "18-64",
                                "rows": [(lot, row)]})

    # Homes near a settlement of the person's district, agreeing in both geographies.
    for p in persons:
        settlements = {name: w for name, _, _, w in DISTRICTS[p["district"]][2]}
        point = None
        while point is None:
            settlement = weighted(rng, settlements)
            point = placer.near(rng, settlement, sigma_km=1.5, max_km=4.5, margin_km=0.1,
                                decimals=4, tries=300)
        p["lat"], p["lon"] = point

    # Pseudonymised ids.
    ids = [person_id(serial) for serial in range(1, len(persons) + 1)]
    check(len(set(ids)) == len(ids), "person ids collide")
    for p, pid in zip(persons, ids):
        p["person_id"] = pid

    rows = []
    for p in persons:
        for lot, row in p["rows"]:
            rows.append({
                "person_id": p["person_id"],
                "latitude": f"{p['lat']:.4f}",
                "longitude": f"{p['lon']:.4f}",
                "age_band": p["age_band"],
                "primary_need": p["primary_need"],
                "lot": lot,
                "status": p["status"],
                "band": row["band"],
                "days_per_week": fmt_num(row["days_per_week"]),
                "hours_per_week": fmt_num(row["hours_per_week"]),
                "additional_hours_per_week": fmt_num(row["additional_hours_per_week"]),
                "_district": p["district"],
            })
    rows.sort(key=lambda r: (r["person_id"], r["lot"]))
    return rows


def check_people(rows, placer: Placer) -> None:
    current = [r for r in rows if r["status"] == "current"]
    waiting = [r for r in rows if r["status"] == "waiting"]
    people = {r["person_id"]: r for r in current}
    check(len(people) == 689, f"689 current people, got {len(people)}")
    check(not (people.keys() & {r["person_id"] for r in waiting}), "waiting people are new people")
    day = [r for r in current if r["lot"] != PA_LOT]
    pa = [r for r in current if r["lot"] == PA_LOT]
    check(len(day) == 541 and len({r["person_id"] for r in day}) == 541, "541 day rows, one per person")
    check(Counter(r["lot"] for r in day) == Counter({l: sum(b.values()) for l, b in DAY_PEOPLE.items()}),
          "day rows by lot")
    check(Counter(r["band"] for r in day) == Counter({"A": 1, "B": 47, "C": 324, "D": 169}), "bands A-D")
    check(sum(r["additional_hours_per_week"] != "" for r in day) == 132, "132 band E rows")
    check(all(r["band"] in "CD" for r in day if r["additional_hours_per_week"]), "band E only with C or D")
    check(len(pa) == 178 and all(r["band"] == "F" for r in pa), "178 band F rows")
    day_ids = {r["person_id"] for r in day}
    pa_only = [r for r in pa if r["person_id"] not in day_ids]
    check(len(pa_only) == 148, "148 PA-only people")
    check(Counter(r["primary_need"] for r in pa_only) == Counter(PA_ONLY_NEEDS), "PA-only needs")
    both = [r for r in pa if r["person_id"] in day_ids]
    check(len(both) == 30 and all(r["primary_need"] == "ld_autism" for r in both), "30 day + PA people")
    ages = Counter(r["age_band"] for r in people.values())
    check(ages == Counter({"18-64": 605, "65+": 84}), f"ages {ages}")
    check(Counter(r["primary_need"] for r in people.values() if r["age_band"] == "65+")
          == Counter(AGE_65_PLUS), "65+ by need")
    for r in day:
        check(r["primary_need"] == r["lot"], "day rows: primary need is the lot")
    for r in rows:
        if r["lot"] == PA_LOT:
            check(r["days_per_week"] == "" and 3 <= float(r["hours_per_week"]) <= 20, "PA row values")
        else:
            d = float(r["days_per_week"])
            check(0.5 <= d <= 5 and d * 2 == int(d * 2) and r["hours_per_week"] == "", "day row values")
        lat, lon = float(r["latitude"]), float(r["longitude"])
        check(placer.grid.area_at(lon, lat) == r["_district"], f"{r['person_id']} placement grid district")
        check(placer.real.area_at(lon, lat) == r["_district"], f"{r['person_id']} real district")
    check(rows == sorted(rows, key=lambda r: (r["person_id"], r["lot"])), "rows sorted")


# --------------------------------------------------------------------------------------
# Small tables
# --------------------------------------------------------------------------------------

def population_rows():
    rows = []
    for code in DISTRICT_CODES:
        name, total, _ = DISTRICTS[code]
        share_65 = SHARE_65_PLUS_BY_DISTRICT.get(code, SHARE_65_PLUS)
        where_65 = "Census 2021, Harborough" if code in SHARE_65_PLUS_BY_DISTRICT else "Census 2021, England and Wales"
        bands = (
            ("18-64", SHARE_18_64, GROWTH_18_64, "59% (assumed)"),
            ("65+", share_65, GROWTH_65_PLUS, f"{share_65 * 100:.1f}% ({where_65})"),
        )
        for band, share, growth, share_text in bands:
            for year in POPULATION_YEARS:
                value = round(total * share * (1 + growth) ** (year - 2021) / 100) * 100
                rows.append([code, name, band, year, value,
                             f"illustrative: Census 2021 total x {share_text} x {growth * 100:.2f}% a year "
                             f"from 2021 (ONS 2018-based SNPP; see README)"])
    check(sum(DISTRICTS[c][1] for c in DISTRICT_CODES) == 712_300, "county population 712,300")
    check(abs(GROWTH_65_PLUS - 0.0198) < 0.00005 and abs(GROWTH_18_64 - 0.0037) < 0.00005, "growth rates")
    return rows


def trend_rows():
    rows = []
    for period, date, younger, older in USERS_TREND:
        rows.append([period, date, "18-64", younger])
        rows.append([period, date, "65+", older])
    return rows


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------

def csv_text(header, rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row[h] for h in header] if isinstance(row, dict) else row)
    return buffer.getvalue()


SERVICE_COLUMNS = ["service_id", "provider_id", "provider_name", "service_name", "service_type", "lots",
                   "latitude", "longitude", "capacity", "current_users", "bands", "status"]
PEOPLE_COLUMNS = ["person_id", "latitude", "longitude", "age_band", "primary_need", "lot", "status", "band",
                  "days_per_week", "hours_per_week", "additional_hours_per_week"]


def summarise(services, people) -> str:
    out = []
    short = {code: area_name(code) for code in AREA_CODES}
    width = max(len(n) for n in short.values())

    def table(title, counter, columns, row_totals=True):
        def line(label, values):
            total = f" {sum(values):>7g}" if row_totals else ""
            return f"  {label:{width}} " + " ".join(f"{v:>10g}" for v in values) + total

        out.append(title)
        out.append(f"  {'':{width}} " + " ".join(f"{c[:10]:>10}" for c in columns)
                   + (f" {'total':>7}" if row_totals else ""))
        for code in AREA_CODES:
            values = [counter.get((code, c), 0) for c in columns]
            if any(values):
                out.append(line(short[code], values))
        out.append(line("total", [sum(counter.get((code, c), 0) for code in AREA_CODES) for c in columns]))

    all_lots = LOTS + [PA_LOT]
    for status in ("current", "waiting"):
        counter = Counter((r["_district"], r["lot"]) for r in people if r["status"] == status)
        n_people = len({r["person_id"] for r in people if r["status"] == status})
        table(f"\nPeople rows by district and lot, {status} ({n_people} distinct people)", counter, all_lots)

    supply = Counter()
    for s in services:
        if s["status"] != "active":
            continue
        for lot in s["lots"].split(";"):
            supply[(s["_area"], lot)] += int(s["capacity"])
    table("\nActive supply by area and lot (places per day; PA hours per week; a multi-lot service counts "
          "towards each lot)", supply, all_lots, row_totals=False)

    demand = Counter()
    for r in people:
        demand[(r["_district"], r["lot"])] += float(r["hours_per_week"]) if r["lot"] == PA_LOT else 1
    out.append("\nSupply against demand (current + waiting), day lots in people vs places, PA in hours")
    out.append(f"  {'':{width}} " + " ".join(f"{l[:16]:>16}" for l in all_lots))
    for code in DISTRICT_CODES:
        cells = [f"{supply.get((code, l), 0):g}/{demand.get((code, l), 0):g}" for l in all_lots]
        out.append(f"  {short[code]:{width}} " + " ".join(f"{c:>16}" for c in cells))
    cells = [f"{supply.get((CITY_CODE, l), 0):g}/-" for l in all_lots]
    out.append(f"  {short[CITY_CODE]:{width}} " + " ".join(f"{c:>16}" for c in cells))

    out.append("\nPMLD: supply (places) vs current + waiting (people)")
    for code in AREA_CODES:
        cur = sum(1 for r in people if r["_district"] == code and r["lot"] == "pmld" and r["status"] == "current")
        wait = sum(1 for r in people if r["_district"] == code and r["lot"] == "pmld" and r["status"] == "waiting")
        out.append(f"  {short[code]:{width}}  supply {supply.get((code, 'pmld'), 0):>3}  demand {cur:>3} + "
                   f"{wait:>2} = {cur + wait:>3}")
    out.append("\nManaged PA: supply (hours/week) vs demand (hours/week, current + waiting)")
    for code in AREA_CODES:
        cur = sum(float(r["hours_per_week"]) for r in people if r["_district"] == code and r["lot"] == PA_LOT
                  and r["status"] == "current")
        wait = sum(float(r["hours_per_week"]) for r in people if r["_district"] == code and r["lot"] == PA_LOT
                   and r["status"] == "waiting")
        out.append(f"  {short[code]:{width}}  supply {supply.get((code, PA_LOT), 0):>4}  demand {cur:>4g} + "
                   f"{wait:>3g} = {cur + wait:>4g}")

    current = [r for r in people if r["status"] == "current"]
    day = [r for r in current if r["lot"] != PA_LOT]
    pa = [r for r in current if r["lot"] == PA_LOT]
    cost_bands = Counter()
    for r in day:
        cost_bands[r["band"]] += FULL_DAY_RATE[r["band"]] * float(r["days_per_week"]) * 52
        if r["additional_hours_per_week"]:
            cost_bands["E"] += float(r["additional_hours_per_week"]) * BAND_E_HOURLY * 52
    for r in pa:
        cost_bands["F"] += float(r["hours_per_week"]) * BAND_F_HOURLY * 52
    out.append("\nAnnual cost of current packages at 2025/26 rates (full day x days x 52; E and F hourly x 52)")
    for band in "ABCDEF":
        out.append(f"  band {band}: £{cost_bands[band]:>12,.0f}")
    out.append(f"  total : £{sum(cost_bands.values()):>12,.0f}   (published 2024/25 spend: £8.6m)")
    mean_days = sum(float(r["days_per_week"]) for r in day) / len(day)
    mean_pa = sum(float(r["hours_per_week"]) for r in pa) / len(pa)
    e_rows = [float(r["additional_hours_per_week"]) for r in day if r["additional_hours_per_week"]]
    out.append(f"  mean days/week {mean_days:.2f}; mean PA hours/week {mean_pa:.2f}; "
               f"mean band E hours/week {sum(e_rows) / len(e_rows):.2f} over {len(e_rows)} rows")
    return "\n".join(out) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=REPO_ROOT / ".." / "shared" / "data",
                        help="folder holding leicestershire-lsoa11/ (default: ../shared/data from the repo root)")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "data", help="output folder (default: data/)")
    parser.add_argument("--quiet", action="store_true", help="do not print the summary")
    args = parser.parse_args()

    rng = random.Random(SEED)
    real = RealGeography(args.shared)
    _, lonlat, districts_text = build_districts()
    grid = PlacementGrid(lonlat)
    check_districts(grid, districts_text)

    placer = Placer(grid, real)
    services = build_services(rng, placer)
    check_services(services, placer)
    people = build_people(rng, placer)
    check_people(people, placer)

    files = {
        "lsoa11.geojson": lsoa_text(args.shared),
        "services.csv": csv_text(SERVICE_COLUMNS, services),
        "people.csv": csv_text(PEOPLE_COLUMNS, people),
        "population.csv": csv_text(["area_code", "area_name", "age_band", "year", "population", "source"],
                                   population_rows()),
        "users_trend.csv": csv_text(["period", "date", "age_band", "users"], trend_rows()),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (args.out / name).write_text(text, encoding="utf-8", newline="\n")
    if not args.quiet:
        print("make_sample: all self-checks passed; wrote " + ", ".join(files) + f" to {args.out}")
        for name, text in files.items():
            print(f"  {name}: {len(text.encode())} bytes, sha256 {hashlib.sha256(text.encode()).hexdigest()[:16]}")
        print(summarise(services, people), end="")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except CheckFailed as failure:
        sys.exit(f"make_sample: self-check failed: {failure}")
