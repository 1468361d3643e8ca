"""Other unique identifying characteristics (Safe Harbor's catch-all): a detail that singles the patient out
among everyone, such as a public role, a one-of-a-kind job, fame, a news story or a rare visible mark.
Found by the shape of such phrases, not by a list of people: "the only X in <place>", "the mayor of",
"in yesterday's news", "conjoined twins"."""
from __future__ import annotations

import re
from collections.abc import Iterator

from .context import about_patient, public_event
from .finding import Finding, make

_UNIQUE_RX = re.compile(
    # "the town's only pharmacist", "the only dentist in Oban", "our village's only GP"
    # ("her only son" is family, not fame: a possessive needs a place, "our town's only vet")
    r"(?i:\b(?:the[ \t]+(?:\w+['’]s[ \t]+)?|(?:our|my|their|his|her)[ \t]+\w+['’]s[ \t]+)only[ \t]+"
    r"(?!one\b|time\b|option\b|way\b|thing\b|reason\b|"
    r"patient\b|case\b|sign\b|symptom\b|finding\b|drug\b|treatment\b|choice\b|problem\b|issue\b|test\b|"
    r"consultant\b|registrar\b|trainee\b|fellow\b|resident\b|attending\b|junior\b|staff\b|major\b|"
    r"specialist[ \t]+(?:nurse|centre|center|unit)\b)\w+"
    r"(?:[ \t]+in[ \t]+[A-Z]\w+)?)"
    # public offices and roles that one person holds
    r"|(?i:\b(?:the|an?)[ \t]+(?:\d{1,3}-year-old[ \t]+|retired[ \t]+)?(?:sitting[ \t]+|current[ \t]+|former[ \t]+"
    r"|local[ \t]+)?(?:mayor|MP|senator|governor|"
    r"councillor|congressman|congresswoman|bishop|archbishop|chief[ \t]+constable|police[ \t]+chief|sheriff|"
    r"head[ \t]?teacher|headmaster|headmistress|principal|ceo|chairman|chairwoman|president|coach|captain|chef|owner|"
    r"landlord|landlady|vicar|priest|rabbi|imam|pastor)"
    r"[ \t]+(?:of|for|at)[ \t]+(?:the[ \t]+|our[ \t]+)?[A-Za-z][\w'’]*(?:[ \t]+[A-Z]\w*)*)"
    # fame, sport at the top level, news coverage
    r"|(?i:\b(?:a|an|the)[ \t]+(?:well[- ]known|famous|celebrity|household[- ]name|local[ \t]+(?:tv|radio|news)|"
    r"tv|television|radio)[ \t]+[\w-]+(?:[ \t]+[\w-]+)?)"
    r"|(?i:\b(?:premier[ \t]+league|champions[ \t]+league|nfl|nba|nhl|mlb|afl|nrl|bundesliga|olympic|"
    r"paralympic|world[ \t]+champion|grand[ \t]+slam)[ \t]+\w+)"
    r"|(?i:\b(?:in|on|from|made)[ \t]+(?:all[ \t]+the|yesterday['’]s|today['’]s|last[ \t]+(?:night|week)['’]s"
    r"|the)[ \t]+"
    r"(?:(?:local|national|evening|morning)[ \t]+)?(?:news|papers?|headlines)\b)"
    r"|(?i:\b(?:on|all[ \t]+over)[ \t]+(?:every|the)[ \t]+(?:channel|news|tv|television|radio|front[ \t]+pages?|"
    r"social[ \t]+media|papers|newspapers|internet|local[ \t]+news)\b)"
    # multiple births known locally: "the triplets delivered here", "the twins born here on Christmas Eve"
    r"|(?i:\b(?:the|our)[ \t]+(?:twins|triplets)[ \t]+(?:who[ \t]+were[ \t]+)?(?:born|delivered)[ \t]+"
    r"here[ \t]+(?:on|last|this|yesterday)\b)"
    # a stature that picks one person out: "the 7 ft 2 in basketball player"
    r"|(?i:\b(?:7|8)[ \t]?(?:ft|foot|feet|')[ \t]?\d{0,2}[ \t]?(?:in|inches|\"|'')?[ \t]+(?:tall[ \t]+)?\w+)"
    r"|(?i:\b(?:shot|stabbed|injured|rescued|hurt|trapped|survived|(?:sole[ \t]+)?survivors?[ \t]+of|victims?[ \t]+of|"
    r"hero[ \t]+of|(?:driver|passenger|pilot|cyclist|pedestrian|rider)[ \t]+(?:in|of|from))[ \t]+"
    r"(?:(?:in|during|at|from)[ \t]+)?(?:the|last[ \t]+\w+['’]s|this[ \t]+\w+['’]s|"
    r"yesterday['’]s|today['’]s|[A-Z]\w+['’]s)[ \t]+[\w' -]{0,30}?"
    r"(?:incident|attack|crash|fire|shooting|explosion|collapse|riot|flood|derailment|stabbing|bombing|rescue|"
    r"capsizing|sinking|shipwreck|earthquake|avalanche|landslide|storm|hurricane|tornado|pile-?up|massacre|"
    r"hostage|siege|hijacking|blaze|came[ \t]+down|went[ \t]+down|crashed|sank|capsized)\b)"
    r"|(?i:\bwho[ \t]+won[ \t]+(?:the|last|this)[ \t]+[\w' ]{0,20}?(?:lottery|jackpot|election|award|medal|"
    r"title|final)\b)"
    r"|(?i:\b(?:professional|international|pro)[ \t]+(?:footballer|athlete|cyclist|boxer|cricketer|golfer|"
    r"(?:rugby|tennis|football|basketball|hockey)[ \t]+player|singer|musician|dancer|jockey|wrestler)\b)"
    r"|(?i:\b(?:everyone|everybody)[ \t]+(?:here[ \t]+|in[ \t]+(?:town|(?:the[ \t]+)?\w+)[ \t]+)?knows\b)"
    r"|(?i:\b(?:lead|principal|prima)[ \t]+(?:singer|guitarist|vocalist|dancer|ballerina|actor|actress|violinist)\b)"
    # a public office held by the patient, without the place: "pt is an MP", "she was a senator"
    r"|(?i:\b(?:is|was)[ \t]+(?:an?|the|our)(?:[ \t]+(?:town|city|village|county|island|parish|borough|district|state)"
    r"['’]s)?(?:[ \t]+(?:local|former|sitting|current))?[ \t]+(?:MP|MEP|MSP|senator"
    r"|mayor|governor|"
    r"congressman|congresswoman|judge|bishop|archbishop|minister|cabinet[ \t]+minister)\b(?![ \t]+(?:of|for|at)\b))"
    r"|(?i:\b(?:goalkeeper|goalie|striker|captain|coach|manager|quarterback|pitcher|conductor|star|owner)[ \t]+"
    r"(?:for|of|at)[ \t]+(?:the|our)?[ \t]*[\w'’ ]{0,25}\b(?:club|team|fc|united|city|rovers|squad|orchestra|band|"
    r"choir)\b)"
    r"|(?i:\b(?:tattoo(?:ed|s)?|birthmark|port[- ]wine[ \t]+stain)\b[^.\n]{0,50}?\b(?:face|forehead|cheeks?|scalp|"
    r"eyelids?)\b"
    r"|\b(?:face|forehead|facial|neck)[ \t]+tattoos?\b)"
    r"|(?i:\bwon[ \t]+(?:a|an|the|two|three)[ \t]+(?:grammy|oscar|emmy|bafta|tony|nobel|pulitzer|olympic|gold|"
    r"world|national)\w*)"
    r"|(?i:\bworld[ \t]+(?:number[ \t]+one|no\.?[ \t]*1|champion|record[ \t]+holder)\b)"
    r"|(?i:\bthe[ \t]+(?:tallest|oldest|youngest|heaviest|shortest|first|last)[ \t]+(?:man|woman|person|patient|"
    r"child|baby|boy|girl)(?:[ \t]+ever)?[ \t]+(?:in|to|on|at)\b[\w ]{0,20})"
    # fame by a work or a moment: "the bestselling thriller", "went viral", "the cup final", "reality TV contestant"
    r"|(?i:\b(?:bestselling|best-selling|award-winning|chart-topping|record-breaking)[ \t]+\w+)"
    r"|(?i:\b(?:went|gone|going)[ \t]+viral\b)"
    r"|(?i:\b(?:cup|grand|world[ \t]+cup|league|championship)[ \t]+final\b)"
    r"|(?i:\b(?:reality[ \t]+(?:tv|television|show)|game[ \t]+show|talent[ \t]+show|quiz[ \t]+show)[ \t]+"
    r"(?:contestant|star|winner|finalist|champion|participant|host)\b)"
    # a feat that made the person known: "who swam the Channel", "who climbed Everest"
    r"|(?:\bwho[ \t]+(?:swam|climbed|rowed|sailed|cycled|ran|walked|flew|skied|summited)[ \t]+(?:the[ \t]+|across[ \t]+"
    r"(?:the[ \t]+)?|around[ \t]+(?:the[ \t]+)?|up[ \t]+)?[A-Z]\w+)"
    # a feature others would recognise: "a distinctive white forelock", "an unusual scar across the cheek"
    r"|(?i:\b(?:distinctive|unusual|striking|memorable|recognisable|recognizable)[ \t]+(?:[\w-]+[ \t]+)?(?:scar|"
    r"tattoo|birthmark|forelock|mark|marks|features?|appearance|hair|hairstyle|piercings?|limp|voice)\b)"
    r"|(?i:\bthe[ \t]+(?:mayor|mp|senator|governor|bishop|president|prime[ \t]+minister|premier|chief[ \t]+executive)"
    r"['’]s[ \t]+(?:wife|husband|partner|son|daughter|mother|father|mum|dad|sister|brother|child|baby))"
    # a place in a workplace's or the public's memory: "the hospital's longest-serving porter", "in the charts"
    r"|(?i:\b(?:longest|oldest|youngest)[- ]serving\b)"
    r"|(?i:\b(?:in|topped|top[ \t]+of|number[ \t]+one[ \t]+in)[ \t]+the[ \t]+charts?\b)"
    # who served or treated someone famous: "the surgeon who operated on the Prime Minister", "the King's chef"
    r"|(?i:\b(?:operated[ \t]+on|treated|nursed|drove|guarded|worked[ \t]+for|cooked[ \t]+for|(?:chef|driver|"
    r"bodyguard|nanny|butler|doctor|physician|surgeon|pilot)[ \t]+(?:to|of|for))[ \t]+the[ \t]+(?:prime[ \t]+minister|"
    r"president|king|queen|pope|royal[ \t]+family|first[ \t]+minister)\b)"
    # a public career: "played for England", "won Wimbledon in 1990", "a contestant on this year's Bake Off"
    r"|\b(?:played|plays|capped|raced|rode|boxed)[ \t]+for[ \t]+[A-Z]\w+"
    r"|\bwon[ \t]+(?:the[ \t]+)?[A-Z]\w+(?:[ \t]+[A-Z]\w+){0,2}[ \t]+in[ \t]+(?:19|20)\d\d\b"
    r"|(?i:\b(?:contestant|finalist|presenter)[ \t]+(?:on|of|in)[ \t]+(?:this[ \t]+year['’]s[ \t]+|last[ \t]+year['’]s"
    r"[ \t]+|the[ \t]+)?)[A-Z]\w+"
    r"|(?i:\b(?:lottery[ \t]+winner|conjoined[ \t]+twins|quintuplets?|sextuplets?|septuplets?|octuplets?|"
    r"quadruplets?)\b(?![ \t]+pregnanc))"
    r"|(?i:\b(?:with|has)[ \t]+(?:a|the)[ \t]+[\w-]+[ \t]+tattoo[ \t]+(?:across|on|over)[ \t]+(?:his|her|their)[ \t]+"
    r"(?:face|forehead|neck)\b)"
)


def find_unique_characteristics(text: str) -> Iterator[Finding]:
    """Yield phrases that single a patient out (a public role, fame, the news), in a post about a patient, unless
    their sentence speaks of a public event and of no patient event."""
    if not about_patient(text):
        return
    for m in _UNIQUE_RX.finditer(text):
        if public_event(text, m.start(), m.end()):
            continue  # "the mayor of London visited the ED to thank staff"
        yield make("other_unique", text, m.start(), m.end(), "a detail that singles the patient out")
