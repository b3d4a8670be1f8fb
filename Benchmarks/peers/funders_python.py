#!/usr/bin/env python3
"""The peer of `catalynx-bench funders`: the same funder matching, in plain Python on sqlite3.

For each applicant (and its peers) listed in APPLICANTS (as `catalynx-bench funders --out` writes
them), from the raw `grants` and `organizations` tables of the same database: the grants to it and
to its peers; the candidate grantors (those that gave in its state to a related cause or to its cause family in its
region); every grant of each candidate, each recipient's cause found by EIN or by its exact name in
its state; the seven dimensions of the funder model (FunderModel.swift) and the composite; the
grantmakers with no grant list; the ranking and the giving profiles of the 25 kept. It may add the
indexes a plain implementation would want (grants by recipient state and by recipient name).

    python3 funders_python.py DB APPLICANTS [LIMIT]
"""
import sqlite3, statistics, sys, time

REGIONS = [
    {"CT", "ME", "MA", "NH", "RI", "VT", "NJ", "NY", "PA"},
    {"IL", "IN", "MI", "OH", "WI", "IA", "KS", "MN", "MO", "NE", "ND", "SD"},
    {"DE", "DC", "FL", "GA", "MD", "NC", "SC", "VA", "WV", "AL", "KY", "MS", "TN", "AR", "LA", "OK", "TX"},
    {"AZ", "CO", "ID", "MT", "NV", "NM", "UT", "WY", "AK", "CA", "HI", "OR", "WA"},
]
SUPER_GROUPS = [set("A"), set("B"), set("CD"), set("EFGH"), set("IJKLMNOP"), set("Q"), set("RSTUVW"), set("X"), set("Y"), set("Z")]
WEIGHTS = {"cause": .30, "place": .20, "grant_size": .15, "peers": .15, "recency": .10, "openness": .05, "capacity": .05}


def region_of(state):
    return next((r for r in REGIONS if state in r), set())


def closeness(code, applicant):
    if not code:
        return 0.0
    if code == applicant:
        return 1.0
    if code.startswith(applicant[:3]):
        return 0.85
    if code[0] == applicant[0]:
        return 0.7
    group = next((g for g in SUPER_GROUPS if applicant[0] in g), set())
    return 0.4 if code[0] in group else 0.0


def size_fit(ratio):
    return 1 if 0.01 <= ratio <= 0.25 else 0.6 if 0.002 <= ratio <= 1 else 0.2


def recency(years):
    return 1 if years <= 2 else 0.6 if years == 3 else 0.3 if years <= 5 else 0.1


def capacity(assets):
    if assets is None:
        return 0.2
    return 1 if assets >= 10_000_000 else 0.75 if assets >= 1_000_000 else 0.5 if assets >= 250_000 else 0.25 if assets >= 50_000 else 0.1


def chunks(values, size=900):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]


class Matcher:
    def __init__(self, db):
        self.db = db
        self.by_ein, self.by_name = {}, {}

    def organization(self, ein):
        if ein not in self.by_ein:
            self.by_ein[ein] = self.db.execute("SELECT ein, name, state, ntee_code, assets, revenue, foundation FROM organizations WHERE ein = ?", (ein,)).fetchone()
        return self.by_ein[ein]

    def recipient(self, grant):
        ein, name, state, kind = grant[1], grant[2], grant[3], grant[4]
        if ein:
            return self.organization(ein)
        if kind != "organization":
            return None
        key = (name.upper(), state)
        if key not in self.by_name:
            rows = self.db.execute("SELECT ein, name, state, ntee_code FROM organizations WHERE upper(name) = ?" + (" AND state = ?" if state else ""),
                                   (name.upper(), state) if state else (name.upper(),)).fetchall()
            self.by_name[key] = rows[0] if len(rows) == 1 else None
        return self.by_name[key]

    def grants_to(self, eins, names):
        found = []
        for part in chunks(eins):
            found += self.db.execute(f"SELECT grantor_ein, recipient_ein, recipient_name, recipient_state, recipient_kind, amount, tax_year FROM grants WHERE recipient_ein IN ({','.join('?' * len(part))})", part).fetchall()
        for part in chunks({n.upper() for n in names}):
            found += self.db.execute(f"SELECT grantor_ein, recipient_ein, recipient_name, recipient_state, recipient_kind, amount, tax_year FROM grants WHERE upper(recipient_name) IN ({','.join('?' * len(part))}) AND coalesce(recipient_ein, '') = ''", part).fetchall()
        return found

    def match(self, applicant_ein, peer_eins, limit=25, year=2026):
        applicant = self.organization(applicant_ein)
        _, name, state, code, _, revenue, _ = applicant
        region = region_of(state) - {state}
        peers = [self.organization(e) for e in peer_eins]
        past = self.grants_to([applicant_ein], [name])
        to_peers = self.grants_to([p[0] for p in peers if p], [p[1] for p in peers if p])
        peers_by_grantor = {}
        for g in to_peers:
            peers_by_grantor.setdefault(g[0], set()).add(g[2])
        # The candidates: gave in the state to a related cause (the super-group), or to the cause family in the region.
        group = next((g for g in SUPER_GROUPS if code and code[0] in g), None)
        in_state = self.db.execute("SELECT grantor_ein, recipient_ein, recipient_name, recipient_state, recipient_kind, amount, tax_year FROM grants WHERE recipient_state = ?",
                                   (state,)).fetchall()
        candidates = {g[0] for g in in_state if group is None or ((self.recipient(g) or (None,) * 4)[3] or " ")[0] in group}
        if code and region:
            family = self.db.execute(f"SELECT ein, name FROM organizations WHERE ntee_code >= ? AND ntee_code < ? AND state IN ({','.join('?' * len(region))})",
                                     (code[:3], code[:2] + chr(ord(code[2]) + 1), *sorted(region))).fetchall()
            candidates |= {g[0] for g in self.grants_to([f[0] for f in family], [f[1] for f in family])
                           if (self.recipient(g) or (None,) * 4)[3] and self.recipient(g)[3].startswith(code[:3])}
        candidates |= {g[0] for g in past + to_peers}
        if len(candidates) < 100:   # few nearby: any cause in the state too
            candidates |= {g[0] for g in in_state}
        fits = []
        for grantor in candidates:
            grants = self.db.execute("SELECT grantor_ein, recipient_ein, recipient_name, recipient_state, recipient_kind, amount, tax_year FROM grants WHERE grantor_ein = ?", (grantor,)).fetchall()
            fits.append(self.score(grantor, grants, applicant, region, peers_by_grantor.get(grantor, set()), year))
        no_list = self.db.execute(
            "SELECT ein, state, ntee_code, assets FROM organizations WHERE foundation = '04' AND state = ? AND ein NOT IN (SELECT DISTINCT grantor_ein FROM grants) ORDER BY assets DESC LIMIT 200",
            (state,)).fetchall()
        for ein, home, own, assets in no_list:
            parts = {"cause": closeness(own, code or "") * .5 if code else .3, "place": .4, "grant_size": .3, "peers": 0, "recency": .05,
                     "openness": 0, "capacity": capacity(assets)}
            fits.append((sum(WEIGHTS[k] * v for k, v in parts.items()), 0, assets or 0, ein, None))
        past_funders = {g[0] for g in past}
        fits.sort(key=lambda f: (f[3] not in past_funders, -f[0], -f[1], -f[2], f[3]))
        kept = fits[:max(limit, len(past_funders))]
        profiles = [self.profile(f[4]) for f in kept if f[4]]
        return kept, profiles, len(fits)

    def score(self, grantor, grants, applicant, region, peers_funded, year):
        _, _, state, code, _, revenue, _ = applicant
        dollars = placed = in_state = in_region = known = close = weighted = alike = alike_here = 0
        for g in grants:
            amount = max(0, g[5])
            recipient = self.recipient(g)
            where = g[3] or (recipient[2] if recipient else None)
            cause = recipient[3] if recipient else None
            c = closeness(cause, code) if code else 0
            dollars += amount
            if where:
                placed += amount
            if where == state:
                in_state += amount
            elif where in region:
                in_region += amount
            if cause:
                known += amount
                close += amount * c
                if code and cause.startswith(code[:3]):
                    alike += 1
                    alike_here += where == state
            weighted += amount * max(c, .1) * (1 if where == state else .4 if where in region else .1)
        amounts = sorted(g[5] for g in grants if g[5] > 0)
        median = statistics.median(amounts) if amounts else None
        years = [g[6] for g in grants]
        latest, first = max(years), min(years)
        first_gift = {}
        for g in grants:
            key = g[1] or g[2].upper()
            first_gift[key] = min(first_gift.get(key, 9999), g[6])
        latest_recipients = {g[1] or g[2].upper() for g in grants if g[6] == latest}
        openness = sum(first_gift[r] == latest for r in latest_recipients) / len(latest_recipients) if first < latest else None
        place = min(1, (in_state + .4 * in_region) / placed) if placed else .3
        parts = {
            "cause": min(1, close / known) if known else .3,
            "place": place,
            "grant_size": size_fit(median / revenue) if median and revenue else .3,
            "peers": 1 if peers_funded else .7 if alike_here else .4 if alike else 0,
            "recency": recency(year - latest),
            "openness": openness if openness is not None else .5,
            "capacity": capacity(self.organization(grantor)[4] if self.organization(grantor) else None),
        }
        composite = sum(WEIGHTS[k] * v for k, v in parts.items()) * (0.6 if placed and place < 0.05 else 1)
        return (round(composite, 3), round(weighted), 0, grantor, grants)

    def profile(self, grants):
        by_recipient = {}
        for g in grants:
            by_recipient.setdefault(g[2], [0, 0])
            by_recipient[g[2]][0] += g[5]
            by_recipient[g[2]][1] += 1
        by_year = {}
        for g in grants:
            by_year[g[6]] = by_year.get(g[6], 0) + g[5]
        return sorted(by_recipient.items(), key=lambda item: -item[1][0])[:10], by_year


def main():
    path, applicants = sys.argv[1], sys.argv[2]
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    db = sqlite3.connect(path)
    db.execute("CREATE INDEX IF NOT EXISTS peer_grants_state ON grants (recipient_state, grantor_ein)")
    lines = [line.split() for line in open(applicants) if line.strip()][:limit]
    matcher = Matcher(db)
    samples, candidates = [], 0
    for index, line in enumerate(lines):
        split = line.index("|")
        matcher.by_ein.clear(); matcher.by_name.clear()   # each applicant starts cold, as ours does
        began = time.perf_counter()
        _, _, scored = matcher.match(line[0], line[1:split])
        if index >= 2:
            samples.append((time.perf_counter() - began) * 1000)
        candidates += scored
    samples.sort()
    p50, p99 = samples[len(samples) // 2], samples[min(len(samples) - 1, int(len(samples) * .99))]
    print(f"python-sqlite3: {len(samples)} applicants, p50 {p50:.1f} ms, p99 {p99:.1f} ms, {candidates / len(lines):.0f} candidates per applicant")


if __name__ == "__main__":
    main()
