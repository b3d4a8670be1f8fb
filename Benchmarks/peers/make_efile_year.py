#!/usr/bin/env python3
"""Write a national-scale e-file year for import benchmarks, laid out as the IRS publishes it:
index_YYYY.csv and YYYY_TEOS_XML_MMA.zip archives of OBJECTID_public.xml entries.

The real returns in ../data/irs990_xml are the templates (two 990-PFs, two 990s, a 990-EZ), so
every return keeps a real return's structure, schema and size. Each generated return gets its own
object id, filer EIN, name and state; the grant lists of the 990-PFs (GrantOrContributionPdDurYrGrp)
and of the 990 with Schedule I (RecipientTable) are rebuilt with a varied number of grants, each to
a real organization of ../data/eo_bmf (its name, city, state and, on Schedule I, EIN) with a varied
amount. Deterministic for a given --seed; archives are written on every core.

    python3 make_efile_year.py --returns 300000 --pf 100000 --grants 1500000 --out /tmp/efile-2024
"""
import argparse, csv, glob, math, multiprocessing, os, random, re, sys, zipfile
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_bmf_scale import STATE_POPULATION_MILLIONS, VALID_PREFIXES  # noqa: E402

TEMPLATES = {
    "pf_a": ("201401439349100200_public.xml", "990PF", "GrantOrContributionPdDurYrGrp"),
    "pf_b": ("201601249349100900_public.xml", "990PF", "GrantOrContributionPdDurYrGrp"),
    "990_grants": ("202403589349300950_public.xml", "990", "RecipientTable"),
    "990_plain": ("201541349349307794_public.xml", "990", None),
    "990ez": ("202300129349200500_public.xml", "990EZ", None),
}


def load_template(path, block_tag):
    text = open(path, encoding="utf-8").read()
    if not block_tag:
        return {"text": text}
    open_tag, close_tag = f"<{block_tag}>", f"</{block_tag}>"
    first = text.index(open_tag)
    last = text.rindex(close_tag) + len(close_tag)
    blocks = re.findall(re.escape(open_tag) + ".*?" + re.escape(close_tag), text[first:last], flags=re.S)
    indent = text[text.rindex("\n", 0, first) + 1:first]
    return {"head": text[:first], "tail": text[last:], "blocks": blocks, "indent": indent}


def recipients_from_bmf(src):
    rows = []
    for f in sorted(glob.glob(os.path.join(src, "*.csv"))):
        with open(f, newline="", encoding="latin-1") as fh:
            reader = csv.reader(fh)
            next(reader)
            for r in reader:
                if len(r) == 28 and r[1] and r[5]:
                    rows.append((r[0], r[1], r[4], r[5], r[6][:5]))
    return rows


def first_after(text, anchor, tags, value):
    """Replaces the text of the first of `tags` after `anchor` with `value`."""
    start = text.index(anchor)
    best = None
    for tag in tags:
        i = text.find(f"<{tag}>", start)
        if i >= 0 and (best is None or i < best[0]):
            best = (i, tag)
    if best is None:
        return text
    i, tag = best
    j = text.index(f"</{tag}>", i)
    return text[:i + len(tag) + 2] + value + text[j:]


def replace_in_block(block, tags, value):
    for tag in tags:
        i = block.find(f"<{tag}>")
        if i >= 0:
            j = block.index(f"</{tag}>", i)
            return block[:i + len(tag) + 2] + value + block[j:]
    return block


def amount(rng):
    return int(round(math.exp(rng.gauss(8.6, 1.4)) / 50) * 50) or 250


def make_grant(template_block, kind, rng, recipients):
    ein, name, city, state, zipcode = rng.choice(recipients)
    block = replace_in_block(template_block, ["BusinessNameLine1Txt", "BusinessNameLine1"], escape(name))
    block = replace_in_block(block, ["CityNm", "City"], escape(city))
    block = replace_in_block(block, ["StateAbbreviationCd", "State"], state)
    block = replace_in_block(block, ["ZIPCd", "ZIPCode"], zipcode or "00000")
    value = str(amount(rng))
    if kind == "RecipientTable":
        block = replace_in_block(block, ["RecipientEIN"], ein)
        block = replace_in_block(block, ["CashGrantAmt"], value)
        block = replace_in_block(block, ["NonCashAssistanceAmt"], "0")
    else:
        block = replace_in_block(block, ["Amt"], value)
    return block


def plan(args):
    """The year's returns: (object id, template key, form, grants, seed), in archive order."""
    rng = random.Random(args.seed)
    others = args.returns - args.pf
    kinds = ["pf_a" if i % 2 == 0 else "pf_b" for i in range(args.pf)]
    with_grants = min(others, max(0, others // 2))
    kinds += ["990_grants"] * with_grants
    rest = others - with_grants
    kinds += ["990_plain"] * (rest // 2) + ["990ez"] * (rest - rest // 2)
    rng.shuffle(kinds)
    # Grants: 80 % to the foundations, 20 % on Schedule I; each count drawn around its mean.
    pf_mean = args.grants * 0.8 / max(1, args.pf)
    sched_mean = args.grants * 0.2 / max(1, with_grants)
    plan = []
    for number, kind in enumerate(kinds):
        mean = pf_mean if kind.startswith("pf") else sched_mean if kind == "990_grants" else 0
        grants = 0 if mean == 0 else max(0, int(round(rng.expovariate(1 / mean))))
        plan.append((f"{args.year}{number + 1:014d}", kind, TEMPLATES[kind][1], grants, rng.randrange(1 << 30)))
    return plan


def filer_ein(number):
    prefix = VALID_PREFIXES[number % len(VALID_PREFIXES)]
    return f"{prefix:02d}{(number * 7919 + 12345) % 10_000_000:07d}"


def write_archive(job):
    path, entries, args = job
    templates = {key: load_template(os.path.join(args.src_xml, f), tag) for key, (f, _, tag) in TEMPLATES.items()}
    recipients = recipients_from_bmf(args.src_bmf)
    states = list(STATE_POPULATION_MILLIONS)
    weights = [STATE_POPULATION_MILLIONS[s] for s in states]
    grants_written = 0
    with zipfile.ZipFile(path + ".tmp", "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for object_id, kind, form, grants, seed, number, name in entries:
            rng = random.Random(seed)
            template = templates[kind]
            if "blocks" in template:
                tag = TEMPLATES[kind][2]
                blocks = [make_grant(rng.choice(template["blocks"]), tag, rng, recipients) for _ in range(grants)]
                text = template["head"] + ("\n" + template["indent"]).join(blocks) + template["tail"]
                grants_written += grants
            else:
                text = template["text"]
            text = first_after(text, "<Filer>", ["EIN"], filer_ein(number))
            text = first_after(text, "<Filer>", ["BusinessNameLine1Txt", "BusinessNameLine1"], escape(name))
            text = first_after(text, "<Filer>", ["StateAbbreviationCd", "State"], rng.choices(states, weights)[0])
            archive.writestr(f"{object_id}_public.xml", text)
    os.replace(path + ".tmp", path)
    return grants_written


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--returns", type=int, default=300_000)
    ap.add_argument("--pf", type=int, default=100_000)
    ap.add_argument("--grants", type=int, default=1_500_000)
    ap.add_argument("--year", type=int, default=2024)
    ap.add_argument("--archives", type=int, default=10)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--out", required=True)
    ap.add_argument("--src-xml", default=os.path.join(HERE, "..", "..", "data", "irs990_xml"))
    ap.add_argument("--src-bmf", default=os.path.join(HERE, "..", "..", "data", "eo_bmf"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    returns = plan(args)
    names = [r[1] for r in recipients_from_bmf(args.src_bmf)]
    with open(os.path.join(args.out, f"index_{args.year}.csv"), "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["RETURN_ID", "FILING_TYPE", "EIN", "TAX_PERIOD", "SUB_DATE", "TAXPAYER_NAME", "RETURN_TYPE", "DLN", "OBJECT_ID", "XML_BATCH_ID"])
        jobs = []
        per_archive = math.ceil(len(returns) / args.archives)
        for a in range(args.archives):
            batch = f"{args.year}_TEOS_XML_{a % 12 + 1:02d}{chr(65 + a // 12)}"
            entries = []
            for number in range(a * per_archive, min(len(returns), (a + 1) * per_archive)):
                object_id, kind, form, grants, seed = returns[number]
                name = f"{names[number % len(names)]} {'FOUNDATION' if form == '990PF' else 'FUND'} {number // len(names) + 1}"
                writer.writerow([number + 1, "EFILE", filer_ein(number), f"{args.year - 1}12", f"{args.year}-05-15", name, form,
                                 f"93493{number:09d}", object_id, batch])
                entries.append((object_id, kind, form, grants, seed, number, name))
            jobs.append((os.path.join(args.out, batch + ".zip"), entries, args))
    with multiprocessing.Pool(os.cpu_count()) as pool:
        grants = sum(pool.map(write_archive, jobs))
    counts = {}
    for _, _, form, _, _ in returns:
        counts[form] = counts.get(form, 0) + 1
    print(f"wrote {len(returns):,} returns ({', '.join(f'{v:,} {k}' for k, v in sorted(counts.items()))}) with {grants:,} grants "
          f"in {len(jobs)} archives to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
