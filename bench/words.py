"""The word lists the synthetic corpus is made of (`bench.generate`): capacities, core issues, origins,
conditions, concepts, roles, subtypes, mechanisms, strategies, names and the phrases of card lines."""
from __future__ import annotations

import itertools
import random

from graph.schema import slug

CAPACITIES = [
    "belonging", "confidence", "value", "self-support", "autonomy", "trust", "assertiveness", "limit setting",
    "intimacy", "strength", "self-esteem", "playfulness", "spontaneity", "calm", "acceptance", "compassion",
    "self-compassion", "openness", "flexibility", "initiative", "presence", "grounding", "courage",
    "receptivity", "warmth", "honesty", "cooperation", "responsibility", "curiosity", "resilience", "clarity",
    "patience", "generosity", "humility", "joy", "equanimity", "power", "care", "commitment", "self-expression",
]
CAPACITY_MODS = ["steady", "inner", "relational", "embodied", "shared", "quiet", "active", "mature", "grounded",
                  "mutual", "realistic", "playful", "gentle", "lasting", "open"]

CORE_ISSUES = [
    "inadequacy", "shame", "emptiness", "abandonment", "unworthiness", "helplessness", "betrayal",
    "powerlessness", "guilt", "loneliness", "fear", "humiliation", "deprivation", "invisibility", "defectiveness",
    "mistrust", "dependence", "failure", "insignificance", "exclusion",
]
CORE_MODS = ["deep", "chronic", "hidden", "early", "pervasive", "bodily", "social", "moral"]

ORIGIN_A = ["inconsistent", "harsh", "absent", "conditional", "intrusive", "unpredictable", "cold", "chaotic",
             "overprotective", "neglectful", "critical", "shaming", "distant", "anxious", "controlling",
             "withdrawn", "punitive", "rejecting", "smothering", "dismissive"]
ORIGIN_B = ["caregiving", "parenting", "discipline", "approval", "attention", "mirroring", "support",
             "affection", "supervision", "family climate", "schooling", "sibling rivalry", "peer groups",
             "home life", "early care"]
ORIGIN_C = ["", "in childhood", "in adolescence"]

COND_SUBJECTS = [
    "Social situations", "Being evaluated", "Meetings", "Being left alone", "Conflict", "Criticism", "Praise",
    "Deadlines", "Family gatherings", "Separation from a partner", "Large groups", "New relationships",
    "Being asked for help", "Phone calls", "Performance reviews", "Public speaking", "Waiting for a reply",
    "Holidays", "Illness", "Changes in routine", "Competition", "Being ignored", "Requests for closeness",
    "Making decisions", "Feedback", "Authority figures", "Unstructured time", "Disagreement", "Being watched",
    "Success", "Being the centre of attention", "Being corrected", "Losing a game", "Rules imposed by others",
    "Physical closeness", "Silence from others", "Teasing", "Travel", "Money worries", "Exams",
]
COND_CONTEXTS = [
    "at work", "at home", "with strangers", "with a partner", "in a group", "with family", "online",
    "in the evening", "after a setback", "under time pressure", "with people in authority", "with close friends",
    "at school", "in therapy", "in new places", "with people who are judgmental", "with people who are aloof",
    "when tired", "when unwell", "during holidays", "in front of colleagues", "with neighbours",
    "in a new job", "after a loss", "with children", "with older relatives", "in public", "on social media",
    "in meetings", "in intimate moments", "at parties", "in class", "in queues", "in shops", "on the phone",
    "by email", "in sports", "in small talk", "in interviews", "with a former partner", "with siblings",
    "with a boss", "with a teacher", "with a doctor", "with a landlord", "during travel", "after criticism",
    "after praise", "before sleep", "in the morning", "after drinking", "on weekends", "at weddings",
    "at funerals", "in waiting rooms", "in crowds", "in cars", "at the gym", "at dinner", "in the office",
]

CONCEPT_A = ["avoidant", "dependent", "anxious", "obsessive", "histrionic", "borderline", "narcissistic",
              "schizoid", "paranoid", "depressive", "masochistic", "passive", "social", "generalized",
              "performance", "separation", "disorganized", "complex", "adjustment", "somatic"]
CONCEPT_B = ["personality disorder", "attachment", "phobia", "anxiety disorder", "traits", "syndrome",
              "attachment style", "personality traits", "features", "stress reaction"]
CONCEPT_PRE = ["", "chronic", "subclinical", "late-onset"]

ROLE_A = ["silent", "anxious", "helpful", "critical", "quiet", "reluctant", "eager", "watchful", "cheerful",
           "distant", "loyal", "stubborn", "wounded", "rebellious", "careful"]
ROLE_B = ["member", "observer", "helper", "rescuer", "outsider", "peacemaker", "scapegoat", "leader",
           "follower", "joker", "caretaker", "critic", "latecomer", "bystander"]

SUBTYPE_SUFFIXES = ["in Relationships", "at Work", "about Performance", "in Groups", "with Family",
                     "for Reassurance", "in Crisis", "about the Body", "about Money", "in Intimacy",
                     "with Authority", "on Social Media", "at School", "in Public"]

MECHANISMS = [
    "Early Childhood Experiences", "Social Comparisons", "Past Failures", "Relationship Dynamics",
    "Perfectionism", "Family Expectations", "Cultural Messages", "Bullying and Teasing", "Loss and Grief",
    "Chronic Illness", "Financial Stress", "Workplace Pressure", "Academic Pressure", "Traumatic Events",
    "Body Image", "Online Feedback", "Parental Conflict", "Frequent Moves", "Sibling Comparison",
    "Inconsistent Discipline", "Overprotection", "Emotional Neglect", "Rejection by Peers",
    "Unstable Friendships", "Harsh Self-Talk", "Migration", "Discrimination", "Caregiving Duties", "Job Loss",
    "Divorce in the Family",
]
STRATEGIES = [
    "Self-Reflection", "Seeking Professional Help", "Building Supportive Relationships",
    "Setting Realistic Goals", "Practicing Self-Compassion", "Limiting Comparisons", "Journaling",
    "Mindfulness Practice", "Assertiveness Training", "Body Awareness", "Gradual Exposure",
    "Peer Support Groups", "Celebrating Small Wins", "Questioning the Inner Critic", "Physical Exercise",
    "Creative Expression", "Sleep and Routine", "Boundary Setting", "Volunteering", "Reading and Learning",
]
FIRST_NAMES = [
    "Ethan", "Charlotte", "Kyle", "Madeline", "Hailey", "Joshua", "Amelia", "Noah", "Olivia", "Liam", "Sophia",
    "Mason", "Isabella", "Lucas", "Mia", "Logan", "Harper", "Elijah", "Evelyn", "Aiden", "Abigail", "Caleb",
    "Emily", "Owen", "Ella", "Ryan", "Grace", "Nathan", "Chloe", "Isaac", "Zoe", "Julian", "Nora", "Levi",
    "Lily", "Adrian", "Hannah", "Gabriel", "Aria", "Dylan", "Leah", "Miles", "Ruby", "Felix", "Clara",
]
PERSON_ROLES = ["30-year-old IT specialist", "high school teacher", "aspiring writer", "college student",
                 "retired nurse", "young father", "marketing manager", "graduate student", "bus driver",
                 "freelance designer", "junior lawyer", "chef in a busy restaurant", "social worker",
                 "40-year-old accountant", "new employee at a bank", "semi-professional musician"]
ALIAS_ADVERBS = ["seldom", "rarely", "never", "barely", "hardly", "scarcely"]
ALIAS_PARTICIPLES = ["acknowledged", "praised", "noticed", "comforted", "heard", "supported", "encouraged",
                      "protected", "reassured", "welcomed"]
SYLLABLES = ["dra", "ven", "mol", "tas", "ri", "quo", "bel", "nar", "sti", "fen", "lor", "gam", "pes", "ul",
              "cri", "zan", "hob", "mer", "tiv", "oss"]

# Sentence material for the free-text sections (never the word "pattern": free text that names a
# pattern becomes an edge, and only the lines written for that purpose may do so).
VERBS = ["withdraws from", "holds back in", "avoids", "over-prepares for", "apologizes in", "freezes in",
          "seeks reassurance in", "keeps quiet in", "tries too hard in", "second-guesses decisions in",
          "plays down achievements in", "looks for approval in"]
SITES = ["social situations", "close relationships", "work meetings", "family life", "new groups",
          "conversations with strangers", "performance situations", "intimate relationships", "team projects",
          "friendships"]
# behaviour lines name personal settings; work and group settings belong to the group-behaviour section
PERSONAL_SITES = ["social situations", "close relationships", "family life", "conversations with strangers",
                   "performance situations", "intimate relationships", "friendships"]
ADJS = ["inadequate", "unwanted", "fragile", "incompetent", "invisible", "undesirable", "helpless", "unworthy",
         "alone", "defective", "too much", "not enough"]
OTHER_ADJS = ["powerful", "judgmental", "rejecting", "desirable", "competent", "distant", "demanding",
               "sustaining", "critical", "unreliable"]
ABOUT = ["the person's fear of rejection", "the intensity of the person's need for contact",
          "an inner voice that attacks the person's worth", "getting needs met indirectly through caring",
          "a wish to stay out of sight", "a readiness to feel wronged", "a hidden resentment of demands",
          "a guarded watchfulness toward others", "a drive to be admired", "a struggle to keep control",
          "a habit of pleasing others first", "a reluctance to take up space"]
COMBINE_DESCS = ["Feels {a} about the degree of need", "Withdraws and keeps a distance in response to {b}",
                  "Looks for evidence that others will reject them in {b}", "Criticizes oneself for being {a}",
                  "Takes care of others in the hope of being cared for in {b}",
                  "Feels wronged when others do not notice the effort in {b}",
                  "Hides feeling {a} behind helpfulness in {b}", "Expects to be found {a} in {b}"]


# -- generation ------------------------------------------------------------------------------------


def pool(rng: random.Random, size: int, *parts: list[str], base: list[str] | None = None) -> list[str]:
    """`size` distinct names: `base` first, then combinations of `parts` in a seeded order."""
    names: list[str] = []
    seen: set[str] = set()

    def add(name: str) -> None:
        key = slug(name)
        if key and key not in seen:
            seen.add(key)
            names.append(name)

    for name in base or []:
        if len(names) >= size:
            break
        add(name)
    combos = list(itertools.product(*parts))
    rng.shuffle(combos)
    for combo in combos:
        if len(names) >= size:
            break
        add(" ".join(c for c in combo if c))
    if len(names) < size:
        raise ValueError(f"pool too small: wanted {size}, can make {len(names)}")
    return names


class Skewed:
    """Draws from a pool with Zipf-like weights (rank r has weight 1/(r+1)^s), so some items are hubs."""

    def __init__(self, items: list[str], s: float = 0.8) -> None:
        self.items = items
        self.cum = list(itertools.accumulate(1.0 / (r + 1) ** s for r in range(len(items))))

    def sample(self, rng: random.Random, k: int) -> list[str]:
        k = min(k, len(self.items))
        out: list[str] = []
        while len(out) < k:
            (pick,) = rng.choices(self.items, cum_weights=self.cum, k=1)
            if pick not in out:
                out.append(pick)
        return out


def pseudo_word(index: int) -> str:
    """A distinct, pronounceable subject word per index (base-20 syllables + 'ity')."""
    syll = []
    n = index * 7 + 421  # not "dradradra" for the first one
    for _ in range(3):
        syll.append(SYLLABLES[n % len(SYLLABLES)])
        n //= len(SYLLABLES)
    while n:
        syll.append(SYLLABLES[n % len(SYLLABLES)])
        n //= len(SYLLABLES)
    word = "".join(syll) + "ity"
    return word[:1].upper() + word[1:]


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]
