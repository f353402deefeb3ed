"""Word lists for the synthetic app catalogue and its users (no real names copied)."""

from __future__ import annotations

# Category code: (share of the Kaggle catalogue, genres it lists, download appeal).
CATEGORIES: dict[str, tuple[float, tuple[str, ...], float]] = {
    "ART_AND_DESIGN": (65, ("Art & Design", "Art & Design;Creativity"), 0.8),
    "AUTO_AND_VEHICLES": (85, ("Auto & Vehicles",), 0.6),
    "BEAUTY": (53, ("Beauty",), 0.7),
    "BOOKS_AND_REFERENCE": (231, ("Books & Reference",), 0.8),
    "BUSINESS": (460, ("Business",), 0.7),
    "COMICS": (60, ("Comics", "Comics;Creativity"), 0.6),
    "COMMUNICATION": (387, ("Communication",), 2.0),
    "DATING": (234, ("Dating",), 0.9),
    "EDUCATION": (156, ("Education", "Education;Education", "Education;Pretend Play"), 1.0),
    "ENTERTAINMENT": (149, ("Entertainment", "Entertainment;Music & Video"), 1.3),
    "EVENTS": (64, ("Events",), 0.5),
    "FINANCE": (366, ("Finance",), 0.9),
    "FOOD_AND_DRINK": (127, ("Food & Drink",), 0.8),
    "HEALTH_AND_FITNESS": (341, ("Health & Fitness",), 1.0),
    "HOUSE_AND_HOME": (88, ("House & Home",), 0.6),
    "LIBRARIES_AND_DEMO": (85, ("Libraries & Demo",), 0.4),
    "LIFESTYLE": (382, ("Lifestyle", "Lifestyle;Pretend Play"), 0.8),
    "GAME": (
        1144,
        ("Action", "Arcade", "Casual", "Puzzle", "Racing", "Sports", "Word", "Card"),
        1.8,
    ),
    "FAMILY": (
        1972,
        (
            "Casual",
            "Educational;Education",
            "Simulation",
            "Puzzle;Brain Games",
            "Casual;Pretend Play",
        ),
        1.4,
    ),
    "MEDICAL": (463, ("Medical",), 0.5),
    "SOCIAL": (295, ("Social",), 1.9),
    "SHOPPING": (260, ("Shopping",), 1.2),
    "PHOTOGRAPHY": (335, ("Photography",), 1.4),
    "SPORTS": (384, ("Sports",), 0.9),
    "TRAVEL_AND_LOCAL": (258, ("Travel & Local", "Travel & Local;Action & Adventure"), 0.9),
    "TOOLS": (842, ("Tools", "Tools;Education"), 1.2),
    "PERSONALIZATION": (392, ("Personalization",), 0.9),
    "PRODUCTIVITY": (424, ("Productivity",), 1.2),
    "PARENTING": (60, ("Parenting", "Parenting;Education"), 0.5),
    "WEATHER": (82, ("Weather",), 0.8),
    "VIDEO_PLAYERS": (175, ("Video Players & Editors",), 1.5),
    "NEWS_AND_MAGAZINES": (283, ("News & Magazines",), 1.0),
    "MAPS_AND_NAVIGATION": (137, ("Maps & Navigation",), 1.1),
}

NAME_HEADS = (
    "Photo", "Smart", "Super", "Pocket", "Daily", "Quick", "Easy", "Magic", "Happy", "Pixel",
    "Cloud", "Sky", "Ocean", "Star", "Sun", "Moon", "Green", "Blue", "Red", "Golden", "Tiny",
    "Mega", "Ultra", "Hyper", "Zen", "Bright", "Fresh", "Wild", "Cool", "Neon", "Urban", "Retro",
    "Cosmic", "Lucky", "Brave", "Swift", "Calm", "Bold", "Clever", "Fancy", "Crystal", "Silver",
    "Rapid", "Simple", "Royal", "Secret", "Sunny", "Frosty", "Jolly", "Noble",
)  # fmt: skip
NAME_TAILS = (
    "Editor", "Camera", "Launcher", "Keyboard", "Wallpaper", "Notes", "Calendar", "Planner",
    "Tracker", "Scanner", "Browser", "Messenger", "Radio", "Player", "Recipes", "Workout",
    "Weather", "Maps", "Translator", "Dictionary", "Puzzle", "Racing", "Farm", "Quiz", "Solitaire",
    "Chess", "Words", "Runner", "Shooter", "Adventure", "Bank", "Wallet", "Budget", "Shop",
    "Deals", "News", "Stories", "Comics", "Diary", "Clock", "Flashlight", "Cleaner", "Booster",
    "VPN", "Fitness", "Yoga", "Dating", "Chat", "Video", "Music", "Coloring Book", "Sketch",
    "Stickers", "Fonts", "Themes", "Ringtones", "Tasks", "Reader", "Guide", "Scores",
)  # fmt: skip
NAME_SUFFIXES = (
    "", "", "", "", " Pro", " Lite", " Free", " Plus", " HD", " 2", " - Free", ": Tips & Tricks",
    ", Simple & Fast", ' "Classic"', " for Kids", " 3D",
)  # fmt: skip

FIRST_NAMES = (
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William",
    "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Charles", "Karen", "Daniel", "Nancy", "Matthew", "Lisa", "Anthony", "Betty", "Mark", "Sandra",
    "Steven", "Ashley", "Paul", "Emily", "Andrew", "Donna", "Joshua", "Michelle", "Kevin", "Carol",
    "Brian", "Amanda",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott",
    "Torres", "Nguyen", "Hill", "Flores",
)  # fmt: skip
US_STATES = (
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut",
    "Delaware", "Florida", "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas",
    "Kentucky", "Louisiana", "Maine", "Maryland", "Massachusetts", "Michigan", "Minnesota",
    "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada", "New Hampshire", "New Jersey",
    "New Mexico", "New York", "North Carolina", "North Dakota", "Ohio", "Oklahoma", "Oregon",
    "Pennsylvania", "Rhode Island", "South Carolina", "South Dakota", "Tennessee", "Texas", "Utah",
    "Vermont", "Virginia", "Washington", "West Virginia", "Wisconsin", "Wyoming",
)  # fmt: skip

INSTALL_BUCKETS = (
    1, 5, 10, 50, 100, 500, 1_000, 5_000, 10_000, 50_000, 100_000, 500_000,
    1_000_000, 5_000_000, 10_000_000, 50_000_000, 100_000_000, 500_000_000, 1_000_000_000,
)  # fmt: skip
CONTENT_RATINGS = {"Everyone": 0.80, "Teen": 0.11, "Mature 17+": 0.05, "Everyone 10+": 0.04}
ANDROID_VERSIONS = {
    "4.1 and up": 2451, "4.0.3 and up": 1501, "4.0 and up": 1375, "Varies with device": 1362,
    "4.4 and up": 979, "2.3 and up": 652, "5.0 and up": 601, "4.2 and up": 394,
    "2.3.3 and up": 281, "2.2 and up": 244, "4.3 and up": 243, "3.0 and up": 241,
    "2.1 and up": 134, "1.6 and up": 116, "6.0 and up": 60,
}  # fmt: skip
PRICES = {
    "$0.99": 148,
    "$2.99": 129,
    "$1.99": 73,
    "$4.99": 72,
    "$3.99": 63,
    "$1.49": 46,
    "$5.99": 30,
    "$9.99": 21,
}
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
