"""The default chart of accounts for a Dutch stichting or vereniging, mapped to RGS codes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class AccountType(StrEnum):
    """The five Beancount root accounts; the first component of every account name."""

    ASSETS = "Assets"
    LIABILITIES = "Liabilities"
    EQUITY = "Equity"
    INCOME = "Income"
    EXPENSES = "Expenses"


@dataclass(frozen=True, slots=True)
class ChartAccount:
    """One account of a chart: its Beancount name, labels, and RGS reference code if any."""

    name: str
    label_nl: str
    label_en: str
    rgs_code: str | None

    @property
    def type(self) -> AccountType:
        """The account type, read from the first component of the name."""
        return AccountType(self.name.split(":", 1)[0])


DEFAULT_CURRENCY = "EUR"

# RGS 3.x reference codes (Referentie GrootboekSchema). Where no leaf code fits, or none could
# be confirmed against a published RGS list, the code is the RGS group above it that certainly
# holds the account (for example WOvbOrs, "Subsidiebaten"; WBedOvp, "Overige personeelskosten",
# for volunteer allowances; BSchOpa, "Overlopende passiva", for unspent subsidies and dues received
# in advance; WBed, "Overige bedrijfskosten", for activities): a group code files the account
# correctly one level up, a guessed leaf could misfile it.
DEFAULT_CHART: tuple[ChartAccount, ...] = (
    # Liquide middelen
    ChartAccount("Assets:Bank:Checking", "Rekening-courant bank", "Current account", "BLimBanRba"),
    ChartAccount("Assets:Bank:Savings", "Spaarrekening", "Savings account", "BLimBanSpa"),
    ChartAccount(
        "Assets:Bank:In-Transit", "Kruisposten (geld onderweg)", "Money in transit", "BLimKruSto"
    ),
    ChartAccount("Assets:Cash", "Kas", "Cash", "BLimKasKas"),
    # Vorderingen
    ChartAccount("Assets:Receivables:Debtors", "Debiteuren", "Trade receivables", "BVorDebHad"),
    ChartAccount(
        "Assets:Receivables:Members",
        "Te ontvangen van leden",
        "Receivable from members",
        "BVorDebHad",
    ),
    ChartAccount(
        "Assets:Receivables:Subsidies",
        "Te vorderen subsidies",
        "Subsidies receivable",
        "BVorOvrOvk",
    ),
    ChartAccount(
        "Assets:Receivables:Bureau",
        "Rekening-courant servicebureau",
        "Receivable from the service bureau",
        "BVorOvrRco",
    ),
    # Overlopende activa
    ChartAccount(
        "Assets:Prepaid:Expenses", "Vooruitbetaalde kosten", "Prepaid expenses", "BVorOvaVof"
    ),
    ChartAccount(
        "Assets:Prepaid:Insurance",
        "Vooruitbetaalde verzekeringspremies",
        "Prepaid insurance premiums",
        "BVorOvaVas",
    ),
    ChartAccount(
        "Assets:Accrued:Income", "Nog te ontvangen bedragen", "Accrued income", "BVorOvaOoa"
    ),
    # Materiële vaste activa
    ChartAccount(
        "Assets:Fixed:Equipment", "Inventaris (aanschafwaarde)", "Equipment at cost", "BMvaBeiVvp"
    ),
    ChartAccount(
        "Assets:Fixed:Equipment-Depreciation",
        "Cumulatieve afschrijving inventaris",
        "Accumulated depreciation of equipment",
        "BMvaBeiCae",
    ),
    # Kortlopende schulden
    ChartAccount("Liabilities:Payables:Creditors", "Crediteuren", "Trade payables", "BSchCreHac"),
    ChartAccount(
        "Liabilities:Payables:Bureau",
        "Rekening-courant servicebureau",
        "Payable to the service bureau",
        "BSchOvsRco",
    ),
    ChartAccount("Liabilities:Payables:Other", "Overige schulden", "Other payables", "BSchOvsOvs"),
    ChartAccount(
        "Liabilities:Accrued:Costs", "Nog te betalen kosten", "Accrued costs", "BSchOpaNtb"
    ),
    ChartAccount("Liabilities:Taxes:VAT", "Te betalen omzetbelasting", "VAT payable", "BSchBepBtw"),
    ChartAccount(
        "Liabilities:Taxes:Payroll",
        "Te betalen loonheffingen",
        "Payroll taxes payable",
        "BSchBepLhe",
    ),
    ChartAccount(
        "Liabilities:Payroll:Net-Wages", "Te betalen nettolonen", "Net wages payable", "BSchSalNet"
    ),
    ChartAccount(
        "Liabilities:Payroll:Holiday-Pay",
        "Te betalen vakantiegeld",
        "Holiday pay payable",
        "BSchSalTvg",
    ),
    ChartAccount(
        "Liabilities:Payroll:Pension",
        "Te betalen pensioenpremies",
        "Pension premiums payable",
        "BSchOvsStp",
    ),
    ChartAccount(
        "Liabilities:Subsidies:Unspent",
        "Nog te besteden subsidies",
        "Unspent subsidies",
        "BSchOpa",
    ),
    ChartAccount(
        "Liabilities:Subsidies:Repayable",
        "Terug te betalen subsidies",
        "Subsidies to be repaid",
        "BSchOvsSuv",
    ),
    ChartAccount(
        "Liabilities:Deferred:Member-Dues",
        "Vooruitontvangen contributies",
        "Member dues received in advance",
        "BSchOpa",
    ),
    # Eigen vermogen
    ChartAccount("Equity:Reserves:General", "Algemene reserve", "General reserve", "BEivOvrAlr"),
    ChartAccount(
        "Equity:Reserves:Continuity", "Continuïteitsreserve", "Continuity reserve", "BEivOvrCor"
    ),
    ChartAccount(
        "Equity:Reserves:Earmarked", "Bestemmingsreserves", "Earmarked reserves", "BEivBerBer"
    ),
    ChartAccount("Equity:Funds:Earmarked", "Bestemmingsfondsen", "Earmarked funds", "BEivBefBef"),
    ChartAccount("Equity:Opening-Balances", "Openingsbalans", "Opening balances", "BEiv"),
    # Baten
    ChartAccount(
        "Income:Subsidies:Municipal", "Gemeentelijke subsidies", "Municipal subsidies", "WOvbOrs"
    ),
    ChartAccount(
        "Income:Subsidies:Government",
        "Overige overheidssubsidies",
        "Other government subsidies",
        "WOvbOrs",
    ),
    ChartAccount("Income:Funds:Grants", "Bijdragen van fondsen", "Grants from funds", "WOvb"),
    ChartAccount("Income:Donations:Gifts", "Donaties en giften", "Donations and gifts", "WOvbBue"),
    ChartAccount(
        "Income:Donations:Donors", "Bijdragen van donateurs", "Donor contributions", "WOvbSgbBvd"
    ),
    ChartAccount("Income:Members:Dues", "Contributies", "Member dues", "WLbeLbvLbv"),
    ChartAccount("Income:Sponsorship", "Sponsoring", "Sponsorship", "WOvbSpdSpd"),
    ChartAccount(
        "Income:Activities:Fees",
        "Opbrengst activiteiten",
        "Income from activities",
        "WOvbLpdLpd",
    ),
    ChartAccount("Income:Interest", "Rentebaten", "Interest income", "WFbeRlmObr"),
    ChartAccount("Income:Other", "Overige baten", "Other income", "WOvbOvoOvo"),
    # Personeelskosten
    ChartAccount("Expenses:Staff:Salaries", "Lonen en salarissen", "Salaries", "WPerLesLon"),
    ChartAccount("Expenses:Staff:Holiday-Pay", "Vakantiegeld", "Holiday pay", "WPerLesVag"),
    ChartAccount("Expenses:Staff:Social-Charges", "Sociale lasten", "Social charges", "WPerSolPsv"),
    ChartAccount("Expenses:Staff:Pension", "Pensioenlasten", "Pension costs", "WPerPenPen"),
    ChartAccount(
        "Expenses:Staff:Sickness-Insurance",
        "Verzuimverzekering",
        "Sickness absence insurance",
        "WBedOvpZie",
    ),
    ChartAccount(
        "Expenses:Staff:Other", "Overige personeelskosten", "Other staff costs", "WBedOvpOvp"
    ),
    ChartAccount(
        "Expenses:Volunteers:Allowances",
        "Vrijwilligersvergoedingen",
        "Volunteer allowances",
        "WBedOvp",
    ),
    ChartAccount(
        "Expenses:Volunteers:Other",
        "Overige vrijwilligerskosten",
        "Other volunteer costs",
        "WBedOvp",
    ),
    # Huisvestingskosten
    ChartAccount("Expenses:Housing:Rent", "Huur", "Rent", "WBedHuiBeh"),
    ChartAccount(
        "Expenses:Housing:Energy", "Gas, water en elektra", "Energy and water", "WBedHuiGwe"
    ),
    ChartAccount("Expenses:Housing:Maintenance", "Onderhoud gebouw", "Maintenance", "WBedHuiOng"),
    ChartAccount("Expenses:Housing:Cleaning", "Schoonmaakkosten", "Cleaning", "WBedHuiSch"),
    ChartAccount(
        "Expenses:Housing:Other", "Overige huisvestingskosten", "Other housing costs", "WBedHuiOhv"
    ),
    # Activiteiten
    ChartAccount(
        "Expenses:Activities:Materials", "Materialen activiteiten", "Activity materials", "WBed"
    ),
    ChartAccount(
        "Expenses:Activities:Other", "Overige activiteitenkosten", "Other activity costs", "WBed"
    ),
    # Verzekeringen
    ChartAccount(
        "Expenses:Insurance:Liability",
        "Aansprakelijkheidsverzekering",
        "Liability insurance",
        "WBedAssBea",
    ),
    ChartAccount(
        "Expenses:Insurance:Other", "Overige verzekeringen", "Other insurance", "WBedAssOva"
    ),
    # Kantoorkosten en ICT
    ChartAccount(
        "Expenses:Office:Supplies", "Kantoorbenodigdheden", "Office supplies", "WBedKanKan"
    ),
    ChartAccount("Expenses:Office:Printing", "Drukwerk", "Printing", "WBedKanDru"),
    ChartAccount("Expenses:Office:Telephone", "Telefoonkosten", "Telephone", "WBedKanTef"),
    ChartAccount(
        "Expenses:Office:Subscriptions",
        "Contributies en abonnementen",
        "Memberships and subscriptions",
        "WBedKanCea",
    ),
    ChartAccount(
        "Expenses:ICT:Software", "Software en automatisering", "Software and IT", "WBedKanKoa"
    ),
    ChartAccount(
        "Expenses:ICT:Hardware", "Kleine aanschaffingen ICT", "Small IT equipment", "WBedKanKak"
    ),
    # Financiële en administratieve lasten
    ChartAccount("Expenses:Bank:Fees", "Bankkosten", "Bank charges", "WBedAdlBan"),
    ChartAccount(
        "Expenses:Administration:Accountancy", "Accountantskosten", "Accountancy", "WBedAea"
    ),
    ChartAccount(
        "Expenses:Administration:Bookkeeping",
        "Administratiekosten",
        "Bookkeeping and administration",
        "WBedKanBoe",
    ),
    # Afschrijvingen en algemene kosten
    ChartAccount(
        "Expenses:Depreciation:Equipment",
        "Afschrijving inventaris",
        "Depreciation of equipment",
        "WAfsAmvBei",
    ),
    ChartAccount("Expenses:General:Travel", "Reiskosten", "Travel", "WBedVkkRev"),
    ChartAccount(
        "Expenses:General:Publicity", "Publiciteit en PR", "Publicity and PR", "WBedVkkRea"
    ),
    ChartAccount("Expenses:General:Other", "Algemene kosten", "General costs", "WBedAlkOal"),
)


def default_chart() -> tuple[ChartAccount, ...]:
    """The chart a new organisation starts with; immutable, so it is safe to share."""
    return DEFAULT_CHART
