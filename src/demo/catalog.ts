/**
 * The vocabulary of the demo world: industries, countries, technologies, people, titles,
 * content and intent topics. Plain data; the generators decide how it is combined.
 */

export type Region = "NA" | "EMEA" | "APAC" | "LATAM";

export interface Industry {
  readonly name: string;
  /** Relative share of accounts. */
  readonly weight: number;
  /** Typical annual revenue per employee, USD. */
  readonly revenuePerEmployee: number;
  /** Words that end a company name in this industry ("Northbridge Analytics"). */
  readonly suffixes: readonly string[];
  /** Whether technical departments (engineering, IT, data) dominate its staff. */
  readonly engineeringHeavy: boolean;
}

export const INDUSTRIES: readonly Industry[] = [
  { name: "Software", weight: 20, revenuePerEmployee: 240_000, engineeringHeavy: true, suffixes: ["Software", "Systems", "Labs", "Technologies", "Cloud", "Analytics", "AI"] },
  { name: "Financial Services", weight: 12, revenuePerEmployee: 420_000, engineeringHeavy: false, suffixes: ["Capital", "Financial", "Bank", "Insurance", "Partners", "Payments"] },
  { name: "Healthcare", weight: 11, revenuePerEmployee: 190_000, engineeringHeavy: false, suffixes: ["Health", "Medical", "Care", "Bio", "Diagnostics", "Clinics"] },
  { name: "Manufacturing", weight: 12, revenuePerEmployee: 310_000, engineeringHeavy: true, suffixes: ["Industries", "Manufacturing", "Components", "Machines", "Materials", "Works"] },
  { name: "Retail", weight: 10, revenuePerEmployee: 170_000, engineeringHeavy: false, suffixes: ["Retail", "Brands", "Stores", "Outfitters", "Market", "Goods"] },
  { name: "Education", weight: 7, revenuePerEmployee: 95_000, engineeringHeavy: false, suffixes: ["Learning", "Academy", "Education", "Institute", "Schools"] },
  { name: "Telecommunications", weight: 6, revenuePerEmployee: 450_000, engineeringHeavy: true, suffixes: ["Telecom", "Networks", "Communications", "Mobile", "Connect"] },
  { name: "Logistics", weight: 7, revenuePerEmployee: 220_000, engineeringHeavy: false, suffixes: ["Logistics", "Freight", "Shipping", "Transport", "Supply"] },
  { name: "Energy", weight: 6, revenuePerEmployee: 620_000, engineeringHeavy: true, suffixes: ["Energy", "Power", "Solar", "Utilities", "Renewables"] },
  { name: "Media", weight: 9, revenuePerEmployee: 210_000, engineeringHeavy: false, suffixes: ["Media", "Studios", "Publishing", "Entertainment", "Digital"] },
];

/** Industries the demo's "ideal customer profile" favours; deals there win more often. */
export const CORE_INDUSTRIES: ReadonlySet<string> = new Set(["Software", "Financial Services", "Healthcare"]);

export interface Country {
  readonly name: string;
  readonly region: Region;
  readonly weight: number;
  /** Country-code top-level domain a local company may use. */
  readonly tld: string;
  /** Hours ahead of UTC for business hours (no daylight saving). */
  readonly utcOffset: number;
  /** How a subsidiary there is named ("Northbridge Capital Deutschland"). */
  readonly label: string;
}

export const COUNTRIES: readonly Country[] = [
  { name: "United States", region: "NA", weight: 36, tld: ".com", utcOffset: -5, label: "US" },
  { name: "Canada", region: "NA", weight: 6, tld: ".ca", utcOffset: -5, label: "Canada" },
  { name: "United Kingdom", region: "EMEA", weight: 8, tld: ".co.uk", utcOffset: 0, label: "UK" },
  { name: "Germany", region: "EMEA", weight: 6, tld: ".de", utcOffset: 1, label: "Deutschland" },
  { name: "France", region: "EMEA", weight: 4, tld: ".fr", utcOffset: 1, label: "France" },
  { name: "Netherlands", region: "EMEA", weight: 3, tld: ".nl", utcOffset: 1, label: "Nederland" },
  { name: "Sweden", region: "EMEA", weight: 2, tld: ".se", utcOffset: 1, label: "Sverige" },
  { name: "Spain", region: "EMEA", weight: 2, tld: ".es", utcOffset: 1, label: "España" },
  { name: "Italy", region: "EMEA", weight: 1.5, tld: ".it", utcOffset: 1, label: "Italia" },
  { name: "Ireland", region: "EMEA", weight: 1.5, tld: ".ie", utcOffset: 0, label: "Ireland" },
  { name: "Switzerland", region: "EMEA", weight: 1, tld: ".ch", utcOffset: 1, label: "Schweiz" },
  { name: "Israel", region: "EMEA", weight: 1, tld: ".co.il", utcOffset: 2, label: "Israel" },
  { name: "United Arab Emirates", region: "EMEA", weight: 0.5, tld: ".ae", utcOffset: 4, label: "Middle East" },
  { name: "South Africa", region: "EMEA", weight: 0.5, tld: ".co.za", utcOffset: 2, label: "South Africa" },
  { name: "Australia", region: "APAC", weight: 5, tld: ".com.au", utcOffset: 10, label: "Australia" },
  { name: "Japan", region: "APAC", weight: 3, tld: ".co.jp", utcOffset: 9, label: "Japan" },
  { name: "Singapore", region: "APAC", weight: 3, tld: ".sg", utcOffset: 8, label: "Asia Pacific" },
  { name: "India", region: "APAC", weight: 4, tld: ".in", utcOffset: 5.5, label: "India" },
  { name: "New Zealand", region: "APAC", weight: 1, tld: ".co.nz", utcOffset: 12, label: "New Zealand" },
  { name: "South Korea", region: "APAC", weight: 1, tld: ".co.kr", utcOffset: 9, label: "Korea" },
  { name: "Brazil", region: "LATAM", weight: 4, tld: ".com.br", utcOffset: -3, label: "Brasil" },
  { name: "Mexico", region: "LATAM", weight: 2, tld: ".com.mx", utcOffset: -6, label: "México" },
  { name: "Argentina", region: "LATAM", weight: 1, tld: ".com.ar", utcOffset: -3, label: "Argentina" },
  { name: "Chile", region: "LATAM", weight: 1, tld: ".cl", utcOffset: -4, label: "Chile" },
  { name: "Colombia", region: "LATAM", weight: 1, tld: ".com.co", utcOffset: -5, label: "Colombia" },
];

/** First halves of company names; combined with ROOTS ("North" + "bridge"). */
export const PREFIXES = [
  "North", "South", "East", "West", "Blue", "Bright", "Silver", "Iron", "Green", "Red", "Clear", "Swift",
  "True", "Prime", "Nova", "Summit", "Stone", "Cedar", "Maple", "Oak", "River", "Harbor", "Atlas", "Apex",
  "Vertex", "Quantum", "Signal", "Pixel", "Cloud", "Data", "Core", "Peak", "Sun", "Star", "Bold", "Golden",
  "Crystal", "Falcon", "Eagle", "Pine", "Granite", "Copper", "Lumen", "Orbit", "Polar", "Terra", "Zen", "Hyper",
  "Bay", "Sky", "Ever", "Fair", "High", "Long", "Moon", "Open", "Rapid", "Sharp", "Wild", "Arrow",
] as const;

export const ROOTS = [
  "wind", "field", "bridge", "gate", "point", "line", "works", "stack", "scale", "forge", "path", "wave",
  "lake", "ridge", "stone", "light", "spring", "crest", "vale", "port", "hub", "base", "mark", "shift",
  "loop", "grid", "link", "sphere", "leaf", "brook", "haven", "view", "well", "wood", "rock", "star",
  "fly", "beam", "bolt", "cast", "core", "dale", "fox", "hill", "mill", "quest", "rise", "side",
  "stream", "tide", "tower", "trail", "vista", "yard", "mont", "ford", "wick", "shore", "sail", "peak",
] as const;

/** Technologies an account may run, as stored in `accounts.technologies` (no spaces). */
export const TECHNOLOGIES = [
  "salesforce", "hubspot", "dynamics365", "pipedrive", "marketo", "pardot", "snowflake", "bigquery",
  "databricks", "redshift", "aws", "azure", "gcp", "segment", "zendesk", "intercom", "slack", "msteams",
  "jira", "workday", "netsuite", "sap", "tableau", "looker", "outreach", "salesloft", "gong", "zoominfo",
  "6sense", "google-analytics",
] as const;

/** Technologies whose presence marks a good fit (a modern revenue and data stack). */
export const FIT_TECHNOLOGIES: ReadonlyMap<string, number> = new Map([
  ["salesforce", 10], ["snowflake", 10], ["segment", 8], ["marketo", 7],
]);

export const FIRST_NAMES = [
  "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
  "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
  "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Sandra", "Mark", "Ashley", "Steven", "Emily",
  "Paul", "Michelle", "Andrew", "Amanda", "Joshua", "Melissa", "Kevin", "Laura", "Brian", "Rebecca",
  "Priya", "Rahul", "Ananya", "Arjun", "Wei", "Li", "Mei", "Hiroshi", "Yuki", "Kenji", "Sakura",
  "Min-jun", "Seo-yeon", "Lukas", "Anna", "Felix", "Lena", "Jonas", "Sophie", "Maximilian", "Hannah",
  "Pierre", "Camille", "Louis", "Chloe", "Lucas", "Manon", "Mateo", "Lucia", "Diego", "Valentina",
  "Santiago", "Camila", "Joao", "Ana", "Pedro", "Beatriz", "Giulia", "Marco", "Francesca", "Luca",
  "Lars", "Ingrid", "Erik", "Astrid", "Noah", "Olivia", "Liam", "Emma", "Oliver", "Ava",
  "Ethan", "Mia", "Aiden", "Zoe", "Omar", "Fatima", "Yusuf", "Aisha", "Daniela", "Tomas",
  "Chen", "Jia", "Sanjay", "Deepa", "Kwame", "Amara", "Tariq", "Leila", "Niamh", "Sean",
] as const;

export const LAST_NAMES = [
  "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
  "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
  "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
  "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
  "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
  "Patel", "Sharma", "Gupta", "Singh", "Kumar", "Iyer", "Reddy", "Wang", "Zhang", "Liu",
  "Chen", "Yang", "Huang", "Tanaka", "Suzuki", "Sato", "Takahashi", "Kim", "Park", "Choi",
  "Muller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann", "Koch",
  "Dubois", "Durand", "Lefebvre", "Moreau", "Laurent", "Bernard", "Rossi", "Russo", "Ferrari", "Esposito",
  "Bianchi", "Silva", "Santos", "Oliveira", "Souza", "Costa", "Pereira", "Almeida", "Johansson", "Lindqvist",
  "Nilsson", "Andersen", "Jensen", "Hansen", "Larsen", "Murphy", "Kelly", "OBrien", "Byrne", "Walsh",
  "Cohen", "Levi", "Mizrahi", "Haddad", "Khan", "Ali", "Hussain", "Okafor", "Mensah", "Dlamini",
  "Novak", "Kowalski", "Nowak", "Horvat", "Popescu", "Ivanova", "Petrov", "Fernandez", "Gomez", "Diaz",
] as const;

export type Seniority = "C_LEVEL" | "VP" | "DIRECTOR" | "MANAGER" | "INDIVIDUAL_CONTRIBUTOR" | "OTHER";
export type BuyingRole = "DECISION_MAKER" | "ECONOMIC_BUYER" | "CHAMPION" | "TECHNICAL_EVALUATOR" | "INFLUENCER" | "USER" | "BLOCKER";

export type Department =
  | "Executive" | "Engineering" | "IT" | "Data" | "Product" | "Marketing" | "Sales"
  | "Revenue Operations" | "Customer Success" | "Finance" | "Operations" | "Procurement" | "Legal" | "Human Resources";

/** Titles by department and seniority; a missing entry means that pairing does not occur. */
export const TITLES: Readonly<Record<Department, Partial<Record<Seniority, readonly string[]>>>> = {
  Executive: { C_LEVEL: ["CEO", "Founder & CEO", "President"], OTHER: ["Chief of Staff", "Executive Assistant"] },
  Engineering: {
    C_LEVEL: ["CTO"], VP: ["VP Engineering", "SVP Engineering"], DIRECTOR: ["Director of Engineering", "Head of Platform Engineering"],
    MANAGER: ["Engineering Manager", "Software Development Manager"], INDIVIDUAL_CONTRIBUTOR: ["Software Engineer", "Senior Software Engineer", "Staff Engineer", "DevOps Engineer"],
    OTHER: ["Engineering Intern"],
  },
  IT: {
    C_LEVEL: ["CIO"], VP: ["VP IT", "VP Information Technology"], DIRECTOR: ["Director of IT", "Head of IT"],
    MANAGER: ["IT Manager", "IT Operations Manager"], INDIVIDUAL_CONTRIBUTOR: ["Systems Administrator", "IT Specialist", "Solutions Architect"],
    OTHER: ["IT Consultant"],
  },
  Data: {
    C_LEVEL: ["Chief Data Officer"], VP: ["VP Data", "VP Analytics"], DIRECTOR: ["Director of Data Engineering", "Head of Analytics"],
    MANAGER: ["Analytics Manager", "Data Engineering Manager"], INDIVIDUAL_CONTRIBUTOR: ["Data Analyst", "Data Engineer", "Data Scientist", "Analytics Engineer"],
  },
  Product: {
    C_LEVEL: ["Chief Product Officer"], VP: ["VP Product"], DIRECTOR: ["Director of Product Management", "Head of Product"],
    MANAGER: ["Product Manager", "Group Product Manager"], INDIVIDUAL_CONTRIBUTOR: ["Product Designer", "Product Analyst"],
  },
  Marketing: {
    C_LEVEL: ["CMO"], VP: ["VP Marketing", "VP Demand Generation"], DIRECTOR: ["Director of Marketing", "Head of Growth", "Director of Marketing Operations"],
    MANAGER: ["Marketing Manager", "Demand Generation Manager", "Marketing Operations Manager", "Content Marketing Manager"],
    INDIVIDUAL_CONTRIBUTOR: ["Marketing Specialist", "Marketing Operations Specialist", "Content Strategist"], OTHER: ["Marketing Intern", "Marketing Consultant"],
  },
  Sales: {
    C_LEVEL: ["CRO", "Chief Revenue Officer"], VP: ["VP Sales", "VP Sales North America", "VP Business Development"], DIRECTOR: ["Director of Sales", "Head of Sales"],
    MANAGER: ["Sales Manager", "Regional Sales Manager", "SDR Manager"], INDIVIDUAL_CONTRIBUTOR: ["Account Executive", "Sales Development Representative", "Account Manager"],
  },
  "Revenue Operations": {
    VP: ["VP Revenue Operations"], DIRECTOR: ["Head of RevOps", "Director of Revenue Operations", "Director of Sales Operations"],
    MANAGER: ["Sales Operations Manager", "RevOps Manager", "CRM Manager"], INDIVIDUAL_CONTRIBUTOR: ["RevOps Analyst", "Salesforce Administrator", "Sales Operations Analyst"],
  },
  "Customer Success": {
    VP: ["VP Customer Success"], DIRECTOR: ["Director of Customer Success", "Head of Support"],
    MANAGER: ["Customer Success Manager", "Support Manager"], INDIVIDUAL_CONTRIBUTOR: ["Customer Success Specialist", "Support Engineer"],
  },
  Finance: {
    C_LEVEL: ["CFO"], VP: ["VP Finance", "Controller"], DIRECTOR: ["Director of Finance", "Head of FP&A"],
    MANAGER: ["Finance Manager", "FP&A Manager"], INDIVIDUAL_CONTRIBUTOR: ["Financial Analyst", "Accountant"], OTHER: ["Finance Consultant"],
  },
  Operations: {
    C_LEVEL: ["COO"], VP: ["VP Operations"], DIRECTOR: ["Director of Operations", "Head of Business Operations"],
    MANAGER: ["Operations Manager", "Business Operations Manager"], INDIVIDUAL_CONTRIBUTOR: ["Operations Analyst", "Business Analyst"],
    OTHER: ["Operations Associate"],
  },
  Procurement: { DIRECTOR: ["Head of Procurement"], MANAGER: ["Procurement Manager", "Vendor Manager"], INDIVIDUAL_CONTRIBUTOR: ["Buyer", "Procurement Specialist"] },
  Legal: { C_LEVEL: ["General Counsel"], DIRECTOR: ["Head of Legal"], MANAGER: ["Legal Counsel"], INDIVIDUAL_CONTRIBUTOR: ["Paralegal"] },
  "Human Resources": {
    C_LEVEL: ["Chief People Officer"], VP: ["VP People"], DIRECTOR: ["Head of People"], MANAGER: ["HR Manager", "Talent Acquisition Manager"],
    INDIVIDUAL_CONTRIBUTOR: ["HR Generalist", "Recruiter"], OTHER: ["HR Assistant"],
  },
};

/** Titles of our own staff on an account (internal contacts: they never score). */
export const INTERNAL_TITLES: readonly (readonly [string, Department, Seniority])[] = [
  ["Account Executive", "Sales", "INDIVIDUAL_CONTRIBUTOR"],
  ["Enterprise Account Executive", "Sales", "INDIVIDUAL_CONTRIBUTOR"],
  ["Sales Development Representative", "Sales", "INDIVIDUAL_CONTRIBUTOR"],
  ["Solutions Engineer", "Sales", "INDIVIDUAL_CONTRIBUTOR"],
  ["Customer Success Manager", "Customer Success", "MANAGER"],
];

export const INTERNAL_DOMAIN = "quorum.example";

export const INTENT_TOPICS = [
  "revenue operations", "account based marketing", "sales intelligence", "data warehouse", "crm migration",
  "customer data platform", "lead scoring", "marketing automation", "predictive analytics", "sales engagement",
  "intent data", "pipeline management", "b2b attribution", "conversation intelligence",
] as const;

export const BLOG_SLUGS = [
  "what-is-account-based-marketing", "buying-committee-playbook", "lead-vs-account-scoring", "revops-metrics-that-matter",
  "intent-data-explained", "pipeline-velocity", "mql-is-dead", "holdout-tests-for-marketing", "scoring-model-governance",
  "sales-and-marketing-sla", "crm-data-hygiene", "attribution-models-compared", "icp-definition-guide", "signal-based-selling",
  "forecasting-with-engagement-data", "first-party-intent",
] as const;

export const CONTENT_ASSETS = [
  "whitepaper-account-scoring-2026", "whitepaper-buying-committees", "ebook-revops-handbook", "ebook-abm-playbook",
  "report-state-of-b2b-pipeline", "report-intent-benchmark", "guide-scoring-model-design", "checklist-crm-migration",
  "case-study-fintech-pipeline", "case-study-healthcare-abm", "template-sla-matrix", "roi-calculator",
] as const;

export const WEBINARS = [
  "webinar-scoring-that-sales-trusts", "webinar-abm-in-practice", "webinar-holdout-testing", "webinar-revops-roundtable",
  "webinar-buying-signals", "webinar-data-warehouse-native-gtm",
] as const;

export const EMAIL_CAMPAIGNS = [
  "newsletter-monthly", "nurture-revops-leaders", "nurture-marketing-ops", "nurture-data-teams", "product-update",
  "webinar-invite", "event-invite", "case-study-digest", "outbound-sequence-icp", "renewal-check-in",
] as const;

export const WEB_PAGES = [
  "/", "/product", "/product/scoring", "/product/buying-committee", "/product/holdout-kpis", "/customers",
  "/integrations", "/integrations/salesforce", "/integrations/hubspot", "/integrations/snowflake", "/security",
  "/docs/getting-started", "/docs/api", "/about", "/careers", "/compare/legacy-lead-scoring",
] as const;

export const AD_CAMPAIGNS = ["ad-linkedin-revops-leaders", "ad-linkedin-abm-retargeting", "ad-google-account-scoring", "ad-g2-category", "ad-capterra-listing"] as const;

export const EVENTS = ["event-revops-summit", "event-roadshow-london", "event-roadshow-new-york", "event-customer-dinner", "event-partner-day"] as const;

export const MEETING_KINDS = ["discovery-call", "product-demo", "technical-deep-dive", "executive-briefing", "pricing-review"] as const;

export const DEAL_PRODUCTS = ["Platform", "Platform", "Enterprise", "Analytics Add-on", "Professional"] as const;

export const OPEN_STAGES = ["Discovery", "Qualification", "Solution Design", "Proposal", "Negotiation"] as const;
