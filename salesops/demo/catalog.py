"""The fixed facts of the demo company: stages, channels, segments, regions, activities, names.

Tables of (name: parameters) that every generator reads; no randomness here.
"""

from __future__ import annotations

SOURCE = "demo"

STAGES = [
    # name, sort_order, probability, is_closed, is_won
    ("Prospecting", 1, 0.10, False, False),
    ("Qualification", 2, 0.20, False, False),
    ("Proposal", 3, 0.40, False, False),
    ("Negotiation", 4, 0.60, False, False),
    ("Commit", 5, 0.80, False, False),
    ("Closed Won", 6, 1.00, True, True),
    ("Closed Lost", 7, 0.00, True, False),
]
OPEN_STAGES = [s[0] for s in STAGES if not s[3]]
FORECAST_CATEGORY = {
    "Prospecting": "pipeline",
    "Qualification": "pipeline",
    "Proposal": "best_case",
    "Negotiation": "best_case",
    "Commit": "commit",
    "Closed Won": "closed",
    "Closed Lost": "omitted",
}

# channel: share of leads, lead->opportunity conversion, win-rate factor, marketing cost per lead
CHANNELS = {
    "Paid Search": (0.24, 0.10, 0.85, 140.0),
    "Organic": (0.22, 0.12, 1.00, 25.0),
    "Events": (0.10, 0.22, 1.10, 420.0),
    "Outbound": (0.16, 0.08, 0.80, 60.0),
    "Referral": (0.07, 0.34, 1.35, 90.0),
    "Partner": (0.09, 0.25, 1.15, 160.0),
    "Webinar": (0.12, 0.15, 0.95, 75.0),
}
# Deals no marketing lead opened still have a source. On an account that already bought:
# channel: (share of those deals, lead->opportunity conversion); no acquisition spend.
ACCOUNT_CHANNELS = {
    "Account management": (0.60, 0.60),
    "Customer success": (0.25, 0.50),
    "Upsell campaign": (0.15, 0.20),
}
# On an account that never bought: its rep prospected it (conversion; a share of sales spend).
PROSPECTING_CHANNEL, PROSPECTING_CONVERSION = "Sales prospecting", 0.30

SEGMENTS = {
    # segment: deal size median, cycle days median, win base, coverage hours/account/year,
    #          order interval months, monthly churn, gross margin, potential median
    "Enterprise": (95_000.0, 110, 0.24, 40.0, 3, 0.016, 0.72, 600_000.0),
    "Mid-Market": (28_000.0, 55, 0.30, 16.0, 3, 0.026, 0.66, 160_000.0),
    "SMB": (7_000.0, 25, 0.36, 6.0, 1, 0.040, 0.58, 35_000.0),
}
REGIONS = ["North America East", "North America West", "EMEA", "APAC", "LATAM"]
QUOTA_BY_SEGMENT = {"Enterprise": 1_400_000.0, "Mid-Market": 800_000.0, "SMB": 420_000.0}

ACTIVITY_TYPES = [
    # activity, category, is_back_office, share of a rep's non-selling hours
    ("Customer meetings", "selling", False, None),
    ("Prospecting calls & emails", "selling", False, None),
    ("Demos & presentations", "selling", False, None),
    ("Quote configuration", "non_selling", True, 0.17),
    ("Proposal writing", "non_selling", True, 0.17),
    ("Order processing", "non_selling", True, 0.13),
    ("Approvals & payment chasing", "non_selling", True, 0.10),
    ("Admin & CRM updates", "non_selling", False, 0.20),
    ("Internal meetings", "non_selling", False, 0.13),
    ("Travel", "non_selling", False, 0.10),
]
SELLING_SPLIT = (0.45, 0.35, 0.20)
# Hours per quote, proposal and order: the activities that are also counted.
COUNTED = {"Quote configuration": 2.2, "Proposal writing": 4.5, "Order processing": 1.4}

FIRST_NAMES = (
    "Alex", "Sam", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie",
    "Avery", "Quinn", "Drew", "Harper", "Rowan", "Emerson", "Kai", "Noa",
)  # fmt: skip
LAST_NAMES = (
    "Garcia", "Smith", "Nguyen", "Müller", "Rossi", "Kim", "Okafor", "Silva",
    "Cohen", "Novak", "Dubois", "Tanaka", "Larsen", "Patel", "Moreau", "Haas",
)  # fmt: skip
INDUSTRIES = (
    "Manufacturing", "Retail", "Healthcare", "Finance", "Software", "Logistics", "Education",
    "Energy",
)  # fmt: skip
COMPANY_STEMS = (
    "Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay", "Soylent",
    "Tyrell", "Cyberdyne", "Wonka", "Gringotts",
)  # fmt: skip
LEGAL_FORMS = ("Inc.", "GmbH", "Ltd", "LLC", "S.A.", "Corp.")
COMPANY_WORDS = (
    "Harbor", "Summit", "Northwind", "Bluebird", "Ironwood", "Silverline", "Redwood", "Brightway",
    "Cedar", "Lakeside", "Granite", "Meridian", "Pioneer", "Keystone", "Evergreen", "Horizon",
    "Riverside", "Sterling", "Beacon", "Crescent", "Falcon", "Oakridge", "Westfield", "Aurora",
)  # fmt: skip
CITIES = (
    "Boston", "Denver", "Austin", "Toronto", "London", "Berlin", "Paris", "Madrid", "Milan",
    "Dublin", "Singapore", "Sydney", "Tokyo", "Seoul", "Mumbai", "São Paulo", "Mexico City",
    "Chicago", "Seattle", "Atlanta",
)  # fmt: skip
SEGMENT_OFFERINGS = {
    "Enterprise": ("Platform licences", "Global rollout", "Analytics suite", "Data integration"),
    "Mid-Market": ("Team licences", "Analytics add-on", "Onboarding package", "Workflow module"),
    "SMB": ("Starter plan", "Annual subscription", "Seats top-up", "Support plan"),
}
DEAL_KINDS = ("new", "pilot", "renewal", "upgrade")
