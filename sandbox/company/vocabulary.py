"""The fixed vocabulary of the synthetic company: reps, names, titles, places, pages and forms.

Kept apart from the generator so the simulation draws new leads from the same pools as the seeded
history, and so the demo can print the roster it routes to. Nothing here is any CRM's: industries
are the company's own terms (``handoff.sandbox.company.terms``), countries ISO codes.
"""

from __future__ import annotations

from dataclasses import dataclass

from handoff.sandbox.company.terms import Industry

COMPANY_NAME = "Acme Analytics"
COMPANY_DOMAIN = "acme.example"
SITE = "https://www.acme.example"


@dataclass(frozen=True)
class RepSeat:
    """A seat on the sales team: who, which team, which time zone."""

    first_name: str
    last_name: str
    team: str
    timezone: str

    @property
    def email(self) -> str:
        return f"{ascii_slug(self.first_name)}.{ascii_slug(self.last_name)}@{COMPANY_DOMAIN}"


TEAM_NORTH_AMERICA = "North America"
TEAM_EMEA = "EMEA"
TEAM_ENTERPRISE = "Enterprise"
TEAMS = (TEAM_NORTH_AMERICA, TEAM_EMEA, TEAM_ENTERPRISE)

REPS: tuple[RepSeat, ...] = (
    RepSeat("Ana", "Silva", TEAM_NORTH_AMERICA, "America/New_York"),
    RepSeat("Marcus", "Johnson", TEAM_NORTH_AMERICA, "America/Los_Angeles"),
    RepSeat("Priya", "Raman", TEAM_NORTH_AMERICA, "America/New_York"),
    RepSeat("Diego", "Fernández", TEAM_NORTH_AMERICA, "America/Los_Angeles"),
    RepSeat("Emily", "Chen", TEAM_NORTH_AMERICA, "America/New_York"),
    RepSeat("Sophie", "Martin", TEAM_EMEA, "Europe/London"),
    RepSeat("Lukas", "Becker", TEAM_EMEA, "Europe/Berlin"),
    RepSeat("Amara", "Okafor", TEAM_EMEA, "Europe/London"),
    RepSeat("Henrik", "Larsen", TEAM_EMEA, "Europe/Berlin"),
    RepSeat("Rachel", "Goldberg", TEAM_ENTERPRISE, "America/New_York"),
    RepSeat("Kenji", "Watanabe", TEAM_ENTERPRISE, "America/Los_Angeles"),
    RepSeat("Olivia", "Brooks", TEAM_ENTERPRISE, "Europe/London"),
)
FORMER_REP = RepSeat("Tom", "Hartley", TEAM_NORTH_AMERICA, "America/New_York")
QUEUE_NAME = "Unassigned leads queue"

FIRST_NAMES = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Charles", "Karen", "Daniel", "Nancy", "Matthew", "Lisa", "Anthony", "Betty", "Mark", "Sandra",
    "Steven", "Ashley", "Andrew", "Kimberly", "Joshua", "Emily", "Kevin", "Donna", "Brian",
    "Michelle", "George", "Carol", "Oliver", "Amelia", "Harry", "Isla", "Jack", "Ava", "Noah",
    "Mia", "Leo", "Freya", "Lukas", "Hannah", "Felix", "Lena", "Jonas", "Clara", "Maximilian",
    "Sofia", "Louis", "Chloé", "Hugo", "Camille", "Lucas", "Manon", "Daan", "Sanne", "Sem",
    "Fleur", "Aoife", "Cian", "Siobhán", "Pablo", "Lucía", "Javier", "Carmen", "Arjun", "Ananya",
    "Rohan", "Diya", "Vikram", "Kavya", "Rahul", "Neha", "Gabriel", "Beatriz", "Rafael",
    "Mariana", "Thiago", "Larissa", "Haruto", "Yui", "Sota", "Hina", "Ren", "Sakura", "Liam",
    "Charlotte", "Ethan", "Zoe", "Mateo", "Valentina", "Wei", "Mei", "Jin", "Min-jun", "Seo-yeon",
    "Omar", "Layla", "Yusuf", "Amina", "Kwame", "Ama", "Chinedu", "Ngozi", "Erik", "Astrid",
    "Nils", "Ingrid", "Mateusz", "Zofia", "Tomás", "Inês",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott",
    "Patel", "Shah", "Singh", "Kumar", "Gupta", "Iyer", "Nair", "Reddy", "Müller", "Schmidt",
    "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Dubois", "Moreau", "Laurent",
    "Bernard", "Lefebvre", "de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Murphy",
    "Kelly", "O'Brien", "Walsh", "Byrne", "Fernández", "Ruiz", "Díaz", "Moreno", "Álvarez",
    "Silva", "Santos", "Oliveira", "Souza", "Costa", "Pereira", "Sato", "Suzuki", "Takahashi",
    "Tanaka", "Watanabe", "Ito", "Nguyen", "Tran", "Kim", "Park", "Chen", "Wang", "Li", "Zhang",
    "Liu", "Okafor", "Mensah", "Adeyemi", "Haddad", "Khalil", "Andersson", "Johansson", "Nilsen",
    "Kowalski", "Nowak", "Novak", "Horvat", "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi",
    "Cohen", "Levi", "Friedman", "O'Connor", "MacDonald", "Campbell", "Stewart", "Evans",
)  # fmt: skip

BUYER_TITLES = (
    "VP Revenue Operations",
    "VP of Sales",
    "VP Marketing",
    "Director of Marketing",
    "Director of Sales Operations",
    "Head of Sales",
    "Head of Growth",
    "Head of Demand Generation",
    "Chief Revenue Officer",
    "CFO",
    "CTO",
    "Chief Marketing Officer",
)
PRACTITIONER_TITLES = (
    "Marketing Manager",
    "Marketing Operations Manager",
    "Revenue Operations Manager",
    "Demand Generation Manager",
    "Product Marketing Manager",
    "Sales Operations Analyst",
    "Data Analyst",
    "Business Analyst",
    "Account Executive",
    "SDR Manager",
    "Software Engineer",
    "Analytics Engineer",
)
LOW_FIT_TITLES = ("Student", "Intern", "Freelancer", "Graduate Student", "Marketing Intern")
BAD_TITLES = ("n/a", "-", "asdf", "me", "CEO", "Boss")

PERSONAL_DOMAINS = (
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "hotmail.com",
    "icloud.com",
    "proton.me",
    "aol.com",
    "gmx.de",
)
COMPETITORS = (
    ("Rivalytics", "rivalytics.example"),
    ("Metricly", "metricly.example"),
    ("Dashboardy", "dashboardy.example"),
)
JUNK_DOMAINS = ("asdf.com", "test.com", "example.org", "mailinator.com")

COMPANY_PREFIXES = (
    "Northwind", "Contoso", "Fabrikam", "Globex", "Initech", "Umbrella", "Tyrell", "Cyberdyne",
    "Hooli", "Vandelay", "Blue Harbor", "Red Maple", "Silverline", "Brightpath", "Clearwater",
    "Evergreen", "Ironclad", "Lighthouse", "Summit", "Pinnacle", "Keystone", "Beacon", "Atlas",
    "Orion", "Nimbus", "Quantum", "Vertex", "Zenith", "Nova", "Polaris", "Sierra", "Granite",
    "Cobalt", "Crimson", "Falcon", "Juniper", "Meridian", "Northstar", "Oakridge", "Pioneer",
    "Redwood", "Riverbend", "Sapphire", "Skyline", "Starling", "Sterling", "Trident", "Vanguard",
    "Willow", "Aurora", "Cascade", "Delta", "Fjord", "Glacier", "Helix", "Lumen", "Mosaic",
    "Nexus", "Opal", "Prism", "Quartz", "Radiant", "Solstice", "Tandem", "Velvet", "Wren",
    "Zephyr", "Harborview", "Kestrel", "Larkspur", "Marigold", "Obsidian", "Peregrine",
)  # fmt: skip

INDUSTRY_SUFFIXES: dict[Industry, tuple[str, ...]] = {
    Industry.SOFTWARE: ("Software", "Labs", "Systems"),
    Industry.INTERNET: ("Cloud", "Online", "Apps"),
    Industry.IT_SERVICES: ("IT Services", "Consulting", "Digital"),
    Industry.FINANCIAL_SERVICES: ("Capital", "Financial", "Payments"),
    Industry.BANKING: ("Bank", "Savings"),
    Industry.INSURANCE: ("Insurance", "Assurance"),
    Industry.HEALTH_CARE: ("Health", "Medical", "Care"),
    Industry.ENGINEERING: ("Manufacturing", "Industries", "Machines"),
    Industry.RETAIL: ("Retail", "Stores", "Goods"),
    Industry.EDUCATION: ("Learning", "Academy", "Education"),
    Industry.MEDIA: ("Media", "Studios", "Publishing"),
    Industry.MARKETING: ("Marketing", "Agency"),
    Industry.LOGISTICS: ("Logistics", "Freight"),
    Industry.TELECOMMUNICATIONS: ("Telecom", "Networks"),
}
INDUSTRY_WEIGHTS: dict[Industry, int] = {
    Industry.SOFTWARE: 16,
    Industry.INTERNET: 12,
    Industry.IT_SERVICES: 10,
    Industry.FINANCIAL_SERVICES: 9,
    Industry.BANKING: 3,
    Industry.INSURANCE: 3,
    Industry.HEALTH_CARE: 7,
    Industry.ENGINEERING: 7,
    Industry.RETAIL: 6,
    Industry.EDUCATION: 5,
    Industry.MEDIA: 5,
    Industry.MARKETING: 6,
    Industry.LOGISTICS: 4,
    Industry.TELECOMMUNICATIONS: 3,
}
COUNTRY_WEIGHTS: dict[str, int] = {
    "US": 34,
    "CA": 5,
    "GB": 12,
    "DE": 9,
    "FR": 6,
    "NL": 5,
    "IE": 3,
    "ES": 3,
    "SE": 2,
    "IN": 7,
    "BR": 4,
    "AU": 5,
    "JP": 3,
    "SG": 2,
}
EMEA_COUNTRIES = frozenset({"GB", "DE", "FR", "NL", "IE", "ES", "SE"})
COUNTRY_NAMES = {"US": "United States", "GB": "United Kingdom", "DE": "Germany", "FR": "France"}
CITIES: dict[str, tuple[str, ...]] = {
    "US": ("New York", "San Francisco", "Austin", "Chicago", "Boston", "Seattle", "Denver"),
    "CA": ("Toronto", "Vancouver", "Montreal"),
    "GB": ("London", "Manchester", "Edinburgh", "Bristol"),
    "DE": ("Berlin", "Munich", "Hamburg", "Frankfurt"),
    "FR": ("Paris", "Lyon", "Nantes"),
    "NL": ("Amsterdam", "Rotterdam", "Utrecht"),
    "IE": ("Dublin", "Cork"),
    "ES": ("Madrid", "Barcelona", "Valencia"),
    "SE": ("Stockholm", "Gothenburg"),
    "IN": ("Bengaluru", "Mumbai", "Pune", "Hyderabad"),
    "BR": ("São Paulo", "Rio de Janeiro"),
    "AU": ("Sydney", "Melbourne", "Brisbane"),
    "JP": ("Tokyo", "Osaka"),
    "SG": ("Singapore",),
}

BLOG_POSTS = (
    "/blog/why-mqls-die-in-the-handoff",
    "/blog/speed-to-lead-benchmarks",
    "/blog/lead-scoring-that-sales-trusts",
    "/blog/round-robin-is-not-fair",
    "/blog/bant-is-not-dead",
    "/blog/revops-metrics-that-matter",
    "/blog/sla-between-marketing-and-sales",
    "/blog/data-hygiene-for-hubspot",
    "/blog/attribution-without-tears",
    "/blog/building-a-revops-team",
)
PRODUCT_PAGES = (
    "/product",
    "/product/lead-scoring",
    "/product/routing",
    "/product/sla-tracking",
    "/product/integrations/hubspot",
    "/product/integrations/salesforce",
    "/product/analytics",
)
HIGH_INTENT_PAGES = ("/pricing", "/compare/acme-vs-rivalytics", "/compare/acme-vs-spreadsheets")
CAREER_PAGES = ("/careers", "/careers/senior-data-engineer", "/careers/account-executive")
OTHER_PAGES = ("/", "/about", "/customers", "/customers/northwind", "/security")
REFERRERS = (
    "https://www.google.com/",
    "https://www.linkedin.com/",
    "https://www.bing.com/",
    "https://news.ycombinator.com/",
    "https://www.g2.com/",
    "",
)

FORM_DEMO = "Request a demo"
FORM_CONTACT_SALES = "Contact sales"
FORM_TRIAL = "Start free trial"
FORM_NEWSLETTER = "Newsletter signup"
ASSETS = (
    "The 2026 Lead Response Benchmark Report",
    "RevOps Metrics Whitepaper",
    "Case study: Northwind cuts lead response to 4 minutes",
    "Case study: Globex doubles SQL conversion",
    "The MQL-to-SQL Handoff Playbook",
)
WEBINARS = (
    "Fixing the MQL-to-SQL handoff",
    "Data-driven territory planning",
    "Lead scoring with intent data",
)
DOWNLOAD_FORMS = tuple(f"Download: {asset}" for asset in ASSETS)
WEBINAR_FORMS = tuple(f"Webinar registration: {title}" for title in WEBINARS)
ALL_FORMS = (
    FORM_DEMO,
    FORM_CONTACT_SALES,
    FORM_TRIAL,
    *DOWNLOAD_FORMS,
    *WEBINAR_FORMS,
    FORM_NEWSLETTER,
)
FORM_PAGES = {
    FORM_DEMO: "/demo",
    FORM_CONTACT_SALES: "/contact-sales",
    FORM_TRIAL: "/trial",
    FORM_NEWSLETTER: "/blog",
}
NEWSLETTERS = (
    "Acme Monthly: the handoff issue",
    "Acme Monthly: scoring that sales trusts",
    "Product update: SLA clocks",
    "Webinar invite: Fixing the MQL-to-SQL handoff",
    "Acme Monthly: RevOps metrics",
)

_ASCII = str.maketrans(
    {
        "á": "a", "à": "a", "ã": "a", "â": "a", "ä": "a", "å": "a", "é": "e", "è": "e",
        "ê": "e", "ë": "e", "í": "i", "ì": "i", "î": "i", "ï": "i", "ó": "o", "ò": "o",
        "õ": "o", "ô": "o", "ö": "o", "ø": "o", "ú": "u", "ù": "u", "û": "u", "ü": "u",
        "ç": "c", "ñ": "n", "ß": "ss", "'": "", " ": "", "-": "",
    }
)  # fmt: skip


def ascii_slug(text: str) -> str:
    """``Fernández`` → ``fernandez``: email local parts and domains stay ASCII."""
    return text.lower().translate(_ASCII)


# What the company sells: every deal is one yearly subscription.
DEAL_NAME = "Acme Analytics subscription"
