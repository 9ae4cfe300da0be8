"""The Marketing Confidence Quotient: five competences, three statements each, bands per
competence and overall, and the wish to talk to an expert (a lead, kept only with consent)."""

from decimal import Decimal

from apps.campaigns.models import Campaign

# Statements rated from 1 (not at all) to 5 (fully); a dimension is named (German, English).
STRATEGY = ("Strategie", "Strategy")
ORGANISATION = ("Organisation und Struktur", "Organisation and structure")
TECHNOLOGY = ("Technologie", "Technology")
PROCESSES = ("Prozesse", "Processes")
MEASURING = ("Erfolgskontrolle", "Measuring success")


def statement(de: str, en: str, dimension: tuple[str, str]) -> tuple:
    return (de, en, "scale", (1, 5, dimension, None))


MARKETING_CONFIDENCE = {
    "slug": "marketing-confidence-quotient",
    "theme": "#0e7490",
    "kind": Campaign.Kind.SURVEY,
    "title": (
        "Marketing Confidence Quotient: Wie sicher ist dein Marketing?",
        "Marketing Confidence Quotient: how confident is your marketing?",
    ),
    "intro": (
        "15 Aussagen in fünf Bereichen, jeweils von 1 (trifft gar nicht zu) bis 5 (trifft voll "
        "zu). Am Ende siehst du, wo du stehst und was als Nächstes hilft.",
        "15 statements in five areas, each from 1 (not true at all) to 5 (fully true). At the "
        "end you see where you stand and what helps next.",
    ),
    # Worth taking again once the next steps had time to work.
    "repeat_after_days": 180,
    "scale_labels": (
        ("trifft gar nicht zu", "not true at all"),
        ("trifft voll zu", "fully true"),
    ),
    "questions": [
        statement(
            "Wir haben klare, messbare Marketingziele für dieses Jahr.",
            "We have clear, measurable marketing goals for this year.",
            STRATEGY,
        ),
        statement(
            "Wir wissen genau, wer unsere Zielgruppen sind und was sie brauchen.",
            "We know exactly who our target groups are and what they need.",
            STRATEGY,
        ),
        statement(
            "Unser Marketingbudget folgt einem Plan, nicht dem Zufall.",
            "Our marketing budget follows a plan, not chance.",
            STRATEGY,
        ),
        statement(
            "Zuständigkeiten im Marketing sind klar verteilt.",
            "Responsibilities in marketing are clearly assigned.",
            ORGANISATION,
        ),
        statement(
            "Marketing und Vertrieb arbeiten eng und regelmäßig zusammen.",
            "Marketing and sales work together closely and regularly.",
            ORGANISATION,
        ),
        statement(
            "Unser Team hat die Fähigkeiten, die unsere Ziele verlangen.",
            "Our team has the skills our goals require.",
            ORGANISATION,
        ),
        statement(
            "Unsere Kundendaten liegen an einem Ort und sind aktuell.",
            "Our customer data sits in one place and is up to date.",
            TECHNOLOGY,
        ),
        statement(
            "Wiederkehrende Aufgaben wie E-Mail-Strecken laufen automatisch.",
            "Recurring tasks such as e-mail journeys run automatically.",
            TECHNOLOGY,
        ),
        statement(
            "Unsere Tools sind miteinander verbunden statt Insellösungen.",
            "Our tools are connected rather than standing alone.",
            TECHNOLOGY,
        ),
        statement(
            "Kampagnen folgen einem festen Ablauf von der Idee bis zur Auswertung.",
            "Campaigns follow a set process from idea to review.",
            PROCESSES,
        ),
        statement(
            "Freigaben gehen schnell und ohne Umwege.",
            "Approvals are quick and direct.",
            PROCESSES,
        ),
        statement(
            "Wir halten fest, was funktioniert, und nutzen es wieder.",
            "We write down what works and use it again.",
            PROCESSES,
        ),
        statement(
            "Wir messen für jede Kampagne, was sie gebracht hat.",
            "We measure what each campaign achieved.",
            MEASURING,
        ),
        statement(
            "Wir verfolgen wenige Kennzahlen, die wirklich zählen, und das regelmäßig.",
            "We follow a few metrics that really matter, and do so regularly.",
            MEASURING,
        ),
        statement(
            "Wir ändern unsere Pläne, wenn die Zahlen es nahelegen.",
            "We change our plans when the numbers suggest it.",
            MEASURING,
        ),
        (
            "Möchtest du mit einer Expertin über dein Ergebnis sprechen?",
            "Would you like to talk to an expert about your result?",
            "single",
            [
                (
                    "Ja, gern: meldet euch bei mir",
                    "Yes, please get in touch",
                    None,
                    ("expert_talk_requested", "yes"),
                ),
                ("Nein, danke", "No, thanks", None, None),
            ],
        ),
    ],
}

BEGINNER = (Decimal("1.0"), "Einsteiger", "Beginner")
ADVANCED = (Decimal("2.5"), "Fortgeschritten", "Advanced")
PIONEER = (Decimal("4.0"), "Vorreiter", "Pioneer")

# (dimension in German or "" for the overall level, band, text (de, en), next step (de, en))
MARKETING_CONFIDENCE_BANDS = [
    (
        "",
        BEGINNER,
        (
            "Dein Marketing hat viel ungenutztes Potenzial. Die gute Nachricht: Schon wenige "
            "Schritte bringen viel.",
            "Your marketing has a lot of untapped potential. The good news: a few steps go a "
            "long way.",
        ),
        (
            "Beginne mit dem Bereich, in dem du am niedrigsten liegst: Dort bringt der erste "
            "Schritt am meisten.",
            "Start with the area where you scored lowest: that is where a first step does most.",
        ),
    ),
    (
        "",
        ADVANCED,
        (
            "Die Grundlagen stehen. Jetzt geht es darum, die Bereiche miteinander zu verbinden.",
            "The basics are in place. Now it is about connecting the areas.",
        ),
        (
            "Nimm dir die zwei schwächsten Bereiche vor und setze in jedem noch in diesem "
            "Quartal einen nächsten Schritt um.",
            "Take your two weakest areas and put one next step into practice in each this quarter.",
        ),
    ),
    (
        "",
        PIONEER,
        (
            "Dein Marketing steht auf festem Grund. Du kannst anderen zeigen, wie es geht.",
            "Your marketing stands on solid ground. You can show others how it is done.",
        ),
        (
            "Bleib dran: Mach den Check in einem halben Jahr noch einmal.",
            "Keep it up: take the check again in six months.",
        ),
    ),
    (
        STRATEGY[0],
        BEGINNER,
        (
            "Marketing passiert bei euch eher aus dem Moment heraus; Ziele und Zielgruppen sind "
            "noch nicht beschrieben.",
            "Marketing happens in the moment; goals and target groups are not written down yet.",
        ),
        (
            "Schreibt drei messbare Ziele für die nächsten zwölf Monate auf und ordnet jedem "
            "eine Zielgruppe zu.",
            "Write down three measurable goals for the next twelve months and give each a "
            "target group.",
        ),
    ),
    (
        STRATEGY[0],
        ADVANCED,
        (
            "Ihr habt eine Richtung, aber sie lenkt noch nicht jede Entscheidung.",
            "You have a direction, but it does not steer every decision yet.",
        ),
        (
            "Prüft jede geplante Maßnahme an euren Zielen und streicht, was keinem dient.",
            "Check every planned activity against your goals and drop what serves none.",
        ),
    ),
    (
        STRATEGY[0],
        PIONEER,
        (
            "Eure Strategie ist klar und lenkt Budget und Maßnahmen.",
            "Your strategy is clear and steers budget and activities.",
        ),
        (
            "Überprüft die Strategie jedes Quartal mit frischen Erkenntnissen über eure Kunden.",
            "Review the strategy every quarter with fresh insight into your customers.",
        ),
    ),
    (
        ORGANISATION[0],
        BEGINNER,
        (
            "Zuständigkeiten sind unklar; vieles hängt an einzelnen Personen.",
            "Responsibilities are unclear; much depends on single people.",
        ),
        (
            "Legt für jede Aufgabe im Marketing fest, wer entscheidet und wer mitarbeitet.",
            "Decide for each marketing task who decides and who contributes.",
        ),
    ),
    (
        ORGANISATION[0],
        ADVANCED,
        (
            "Die Rollen stehen, doch die Zusammenarbeit mit dem Vertrieb holpert noch.",
            "Roles are set, but working with sales is still bumpy.",
        ),
        (
            "Führt ein kurzes wöchentliches Treffen von Marketing und Vertrieb ein.",
            "Start a short weekly meeting of marketing and sales.",
        ),
    ),
    (
        ORGANISATION[0],
        PIONEER,
        (
            "Euer Team ist gut aufgestellt und arbeitet über Abteilungen hinweg.",
            "Your team is well set up and works across departments.",
        ),
        (
            "Plant Weiterbildung für die Fähigkeiten, die ihr morgen braucht.",
            "Plan training for the skills you will need tomorrow.",
        ),
    ),
    (
        TECHNOLOGY[0],
        BEGINNER,
        (
            "Daten und Tools sind verstreut; vieles geschieht von Hand.",
            "Data and tools are scattered; much is done by hand.",
        ),
        (
            "Bringt eure Kundendaten an einem Ort zusammen, bevor ihr neue Tools kauft.",
            "Bring your customer data together in one place before buying new tools.",
        ),
    ),
    (
        TECHNOLOGY[0],
        ADVANCED,
        (
            "Die wichtigsten Tools sind da, arbeiten aber noch nebeneinander her.",
            "The key tools are there but still work side by side.",
        ),
        (
            "Verbindet CRM und E-Mail-Tool und automatisiert eine erste Begrüßungsstrecke.",
            "Connect your CRM and e-mail tool and automate a first welcome journey.",
        ),
    ),
    (
        TECHNOLOGY[0],
        PIONEER,
        (
            "Eure Technik ist verbunden und nimmt euch Routine ab.",
            "Your technology is connected and takes routine work off your hands.",
        ),
        (
            "Nutzt eure Daten für persönliche Angebote, mit klarer Einwilligung.",
            "Use your data for personal offers, with clear consent.",
        ),
    ),
    (
        PROCESSES[0],
        BEGINNER,
        (
            "Jede Kampagne beginnt von vorn; Abläufe sind nicht festgehalten.",
            "Every campaign starts from scratch; processes are not written down.",
        ),
        (
            "Schreibt euren Kampagnenablauf als einfache Checkliste auf.",
            "Write your campaign process down as a simple checklist.",
        ),
    ),
    (
        PROCESSES[0],
        ADVANCED,
        (
            "Es gibt Abläufe, doch Freigaben und Übergaben kosten Zeit.",
            "Processes exist, but approvals and handovers cost time.",
        ),
        (
            "Verkürzt den Freigabeweg auf höchstens zwei Personen.",
            "Cut the approval path to two people at most.",
        ),
    ),
    (
        PROCESSES[0],
        PIONEER,
        (
            "Eure Abläufe sind eingespielt und werden laufend besser.",
            "Your processes run smoothly and keep improving.",
        ),
        (
            "Haltet nach jeder Kampagne in 15 Minuten fest, was ihr nächstes Mal anders macht.",
            "After each campaign, take 15 minutes to note what you will do differently next time.",
        ),
    ),
    (
        MEASURING[0],
        BEGINNER,
        (
            "Ob Marketing wirkt, ist eher ein Gefühl als eine Zahl.",
            "Whether marketing works is more a feeling than a number.",
        ),
        (
            "Wählt drei Kennzahlen aus und messt sie ab der nächsten Kampagne.",
            "Choose three metrics and measure them from the next campaign on.",
        ),
    ),
    (
        MEASURING[0],
        ADVANCED,
        (
            "Ihr messt, aber die Zahlen verändern eure Entscheidungen noch selten.",
            "You measure, but the numbers rarely change your decisions yet.",
        ),
        (
            "Schaut euch die Zahlen monatlich gemeinsam an und leitet jedes Mal eine "
            "Entscheidung daraus ab.",
            "Review the numbers together every month and take one decision from them each time.",
        ),
    ),
    (
        MEASURING[0],
        PIONEER,
        (
            "Ihr steuert euer Marketing mit Zahlen und lernt aus jeder Kampagne.",
            "You steer your marketing by numbers and learn from every campaign.",
        ),
        (
            "Testet regelmäßig zwei Varianten gegeneinander, um noch mehr zu lernen.",
            "Test two variants against each other regularly to learn even more.",
        ),
    ),
]


# Earlier plays of the demo, as anonymous sums, so the comparison shows on a fresh start.
DEMO_PLAYS = 42
DEMO_AVERAGES = {
    STRATEGY[0]: Decimal("3.1"),
    ORGANISATION[0]: Decimal("2.9"),
    TECHNOLOGY[0]: Decimal("2.6"),
    PROCESSES[0]: Decimal("2.8"),
    MEASURING[0]: Decimal("2.7"),
    "": Decimal("2.8"),
}
