"""Plausible Swedish names: common first names and surnames.

Common names are facts (SCB publishes how many people bear each); the lists
are ordered roughly from the most common down, and a Zipf-like weight
(1 / rank^0.8) makes the first ones the most frequent, as in real life.
"""

from __future__ import annotations

import numpy as np

WOMEN_FIRST_NAMES = (
    "Anna", "Eva", "Maria", "Karin", "Sara", "Kristina", "Lena", "Emma", "Kerstin",
    "Ingrid", "Marie", "Malin", "Jenny", "Hanna", "Linda", "Annika", "Susanne", "Elin",
    "Monica", "Birgitta", "Sofia", "Johanna", "Julia", "Ida", "Camilla", "Helena",
    "Ulrika", "Åsa", "Elisabeth", "Maja", "Ebba", "Frida", "Linnéa", "Matilda",
    "Amanda", "Alice", "Moa", "Klara", "Ellen", "Elsa", "Wilma", "Therese", "Louise",
    "Petra", "Katarina", "Cecilia", "Jessica", "Sandra", "Josefin", "Caroline",
    "Emelie", "Lisa", "Anette", "Charlotte", "Nina", "Mikaela", "Fatima", "Lina",
    "Sanna", "Agnes", "Astrid", "Tove", "Felicia", "Jennifer", "Gunilla", "Ann",
    "Margareta", "Yvonne", "Pernilla", "Veronica", "Maryam", "Ronja", "Nora", "Tilda",
)  # fmt: skip

MEN_FIRST_NAMES = (
    "Lars", "Mikael", "Anders", "Johan", "Erik", "Per", "Karl", "Peter", "Thomas",
    "Jan", "Daniel", "Fredrik", "Hans", "Andreas", "Stefan", "Mohammed", "Mats",
    "Marcus", "Magnus", "Jonas", "Oskar", "Bengt", "Alexander", "Martin", "Niklas",
    "Björn", "Henrik", "Patrik", "Simon", "David", "Viktor", "Emil", "Filip",
    "Jonathan", "Robin", "Sebastian", "Gustav", "Jakob", "Anton", "William", "Lucas",
    "Oliver", "Hugo", "Axel", "Elias", "Isak", "Ludvig", "Adam", "Rasmus", "Joakim",
    "Tobias", "Mattias", "Ola", "Kent", "Roger", "Tommy", "Ulf", "Göran", "Christer",
    "Ali", "Leo", "Albin", "Linus", "Kristoffer", "Pontus", "Sven", "Nils", "Olof",
    "Ahmed", "Omar", "Viggo", "Arvid", "Melvin", "Måns",
)  # fmt: skip

SURNAMES = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
    "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson",
    "Bengtsson", "Jönsson", "Lindberg", "Jakobsson", "Magnusson", "Lindström",
    "Olofsson", "Lindqvist", "Lindgren", "Berg", "Axelsson", "Bergström", "Lundberg",
    "Lind", "Lundgren", "Lundqvist", "Mattsson", "Berglund", "Fredriksson", "Sandberg",
    "Henriksson", "Forsberg", "Sjöberg", "Ali", "Wallin", "Mohammed", "Engström",
    "Eklund", "Danielsson", "Lundin", "Håkansson", "Björk", "Bergman", "Gunnarsson",
    "Holm", "Wikström", "Samuelsson", "Isaksson", "Fransson", "Bergqvist", "Nyström",
    "Holmberg", "Arvidsson", "Löfgren", "Söderberg", "Nyberg", "Blomqvist", "Claesson",
    "Nordström", "Mårtensson", "Lundström", "Ahmed", "Viklund", "Björklund", "Eliasson",
    "Pålsson", "Hassan", "Berggren", "Sandström", "Lund", "Nordin", "Ström", "Åberg",
    "Hermansson", "Ekström", "Holmgren", "Sundberg", "Hedlund", "Dahlberg",
    "Hellström", "Sjögren", "Abdullahi", "Falk", "Öberg", "Ek", "Blom", "Strand",
    "Nordqvist", "Sundström", "Hedberg", "Lindholm", "Ibrahim", "Åkesson", "Dahl",
)  # fmt: skip


def zipf_weights(count: int) -> np.ndarray:
    """Normalised weights 1 / rank^0.8 for a list ordered from most common."""
    weights: np.ndarray = 1.0 / np.arange(1, count + 1, dtype=np.float64) ** 0.8
    normalised: np.ndarray = weights / weights.sum()
    return normalised


def draw(rng: np.random.Generator, names: tuple[str, ...], size: int) -> np.ndarray:
    """Indices into ``names`` drawn with Zipf-like weights."""
    picked: np.ndarray = rng.choice(len(names), size=size, p=zipf_weights(len(names)))
    return picked.astype(np.int16)
