"""Full-text extraction: trafilatura (what briefing ships) against alternatives, on six pages.

Run: python benchmarks/fulltext.py [--runs 5]
The pages are fictional and generated here, each in a different shape real outlets use: a news
page with nav, cookie banner, teaser, comments and footer; a blog with <br> paragraphs and a
sidebar; an article with ads, "read more" boxes and a newsletter box between paragraphs; one
with figures, pull quotes, share buttons and an author bio; one deep in div soup with a
link-heavy footer and 150 KB of framework state in a script; one whose comments outweigh the
article. Each has known "gold" body text. Quality is token precision/recall/F1 of the
extracted text against the gold (bags of lower-cased words); speed is the median ms per page.
Alternatives that are not installed (readability-lxml, justext: `pip install -e '.[dev]'`) are
skipped. `naive` is every word of the page (briefing.safety.html_to_text): the floor.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable

from briefing import fulltext as articles
from briefing.safety import html_to_text

Extractor = Callable[[bytes, str], str]

NAV = (
    '<header><a href="/">The Valley Ledger</a><nav><a href="/news">News</a> <a href="/sport">'
    'Sport</a> <a href="/money">Money</a> <a href="/life">Life</a> <a href="/weather">Weather'
    '</a> <a href="/subscribe">Subscribe</a></nav></header>'
    '<div class="cookie-banner">We and our 214 partners use cookies to personalise content and '
    'ads. <button>Accept all</button> <button>Reject</button> <a href="/cookies">Settings</a></div>'
)
FOOTER = (
    "<footer><p>© 2026 Valley Ledger Publishing Ltd. Registered in the county of Westmere.</p>"
    '<a href="/about">About us</a> <a href="/jobs">Careers</a> <a href="/privacy">Privacy notice'
    '</a> <a href="/terms">Terms and conditions</a> <a href="/ads">Advertise with us</a></footer>'
)
LINKS = "".join(
    f'<li><a href="/topic/{i}">{w} news and analysis</a></li>'
    for i, w in enumerate(
        "Farming Rail Schools Health Housing Courts Energy Rivers Elections".split()
    )
)

BODIES = {
    "news": [
        "The Westmere county council has approved a plan to reopen the disused railway between "
        "Harlow Bridge and Fenton Cross, closed to passengers since 1968.",
        "Councillors voted twenty-three to nine after a four-hour debate in which farmers along "
        "the route raised concerns about level crossings and drainage.",
        "The line would carry an hourly shuttle from 2029, calling at four restored stations, and "
        "freight trains from the quarry at Ashby Moor at night.",
        "Council leader Priya Marsh said the decision would cut traffic on the valley road, "
        "where queues at the Fenton roundabout stretch for two miles at peak times.",
        "Opponents said the estimated cost of ninety million pounds did not include new bridges "
        "over the river Lune, two of which were judged unsafe in a survey last spring.",
    ],
    "blog": [
        "I have kept bees on the allotment for eleven summers, and this was the first year the "
        "colonies came through the winter without a single loss.",
        "The difference, I think, was the late feeding. Instead of stopping in September I gave "
        "thin syrup until the first frosts, and the clusters were heavy when I hefted the hives.",
        "Varroa counts were also low. The oxalic treatment in December knocked down almost "
        "nothing, which either means the mites were gone or the treatment failed.",
        "Next year I want to try splitting the strongest colony in May, before the swarming "
        "urge takes hold, and raising a queen from my own stock for the first time.",
    ],
    "ads": [
        "Water levels in the Kessel reservoir have fallen to their lowest point in thirty years, "
        "exposing the walls of the village that was drowned when the dam was built.",
        "Visitors have been walking across the dry bed to see the old chapel, and the water "
        "company has asked them to keep away from the soft mud near the outflow.",
        "Hydrologists blame a dry winter followed by the hottest June on record, which pushed "
        "demand from the towns downstream far above the usual summer peak.",
        "A hosepipe ban covering sixty thousand homes starts on Monday and will last at least "
        "until the end of September, the company said in a statement.",
        "Farmers who draw from the river below the dam have been told their licences may be "
        "suspended if the flow drops under the legal minimum for more than a week.",
    ],
    "figures": [
        "A hoard of four hundred silver coins found by a metal detectorist near Crayle has been "
        "declared treasure at an inquest, clearing the way for the county museum to buy it.",
        "The coins were buried in a pottery jar around the year 1140, during the civil war "
        "between Stephen and Matilda, and include pennies from eleven different mints.",
        "Curator Tomas Hale said several of the coins were struck by local barons in their own "
        "names, a sign of how far royal authority had collapsed in the region.",
        "The museum has until the end of the year to raise the valuation, expected to be about "
        "sixty thousand pounds, which will be shared by the finder and the landowner.",
    ],
    "divsoup": [
        "The ferry between Oster Point and the island of Rhune will stop running in November "
        "after the operator said it could no longer afford to keep its only boat in service.",
        "Islanders rely on the crossing for school runs, hospital visits and deliveries, and the "
        "community council has called an emergency meeting for Thursday evening.",
        "The boat, built in 1987, failed a safety inspection in August and needs a new engine "
        "and hull repairs that the operator estimates at more than a million pounds.",
        "The regional transport board said it was looking at a temporary service using a "
        "chartered vessel, but could not promise one before the winter timetable begins.",
    ],
    "comments": [
        "Plans for a hundred and twenty homes on the old brickworks site in Dunmere have been "
        "rejected by the planning committee for a second time.",
        "Officers had recommended approval, but members said the access road was too narrow for "
        "the extra traffic and that the site still floods after heavy rain.",
        "The developer, Castlegate Homes, said it was disappointed and would consider an appeal "
        "to the planning inspectorate, which could overturn the decision next year.",
    ],
}

COMMENT_TEXT = [
    "Good. The town cannot cope with more houses until somebody fixes the drains on the high "
    "street, which overflow every single time it rains for more than an hour.",
    "Where are young people supposed to live then? My children both had to move forty miles "
    "away because nothing here is affordable, and this would have had some affordable homes.",
    "The brickworks site has been an eyesore for twenty years. Anything would be better than "
    "the fences and the fly-tipping, and the council should have approved it the first time.",
    "I walk my dog there every day and the lower field is under water half the winter, so I "
    "do not know how anyone thought it was a sensible place to build houses in the first place.",
    "Another appeal, another year of uncertainty, another load of legal fees paid by us.",
]


STATE = (
    '<script id="__NEXT_DATA__" type="application/json">{"props": {"page": '
    + json.dumps({"body": BODIES["divsoup"], "menu": [LINKS] * 150, "ids": list(range(3000))})
    + "}}</script>"
)


def _ps(body: list[str]) -> str:
    return "".join(f"<p>{p}</p>" for p in body)


def _page(title: str, content: str) -> bytes:
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body>{content}</body></html>"
    ).encode()


def pages() -> dict[str, tuple[bytes, str]]:
    """name -> (html, gold text)."""
    b = BODIES
    ad = '<div class="ad-slot">Advertisement</div>'
    more = '<div class="read-more"><b>Read more:</b> <a href="/x">Heatwave: what to do</a></div>'
    built = {
        "news": f"{NAV}<main><article><h1>Railway to reopen</h1><p class='byline'>By Staff"
        f"</p>{_ps(b['news'])}</article><aside><h3>Most read</h3><ul>{LINKS}</ul>"
        "<div class='teaser'><p>Bus fares in the valley will rise by twelve pence in April, the "
        "operator has confirmed, blaming the cost of fuel and drivers' wages.</p></div>"
        "</aside></main>"
        "<section class='comments'><h2>Comments (2)</h2><p>Hooray at last.</p><p>What a waste"
        f" of money.</p></section>{FOOTER}",
        "blog": f"{NAV}<div class='post'><h1>Eleven summers of bees</h1><div class='entry'>"
        + "<br><br>".join(b["blog"])
        + "</div></div><div class='sidebar'><h3>Archives</h3><ul>"
        + "".join(f"<li><a href='/{m}'>{m} 2025</a></li>" for m in ("March", "April", "May"))
        + f"</ul><h3>Blogroll</h3><ul>{LINKS}</ul></div>{FOOTER}",
        "ads": f"{NAV}<article><h1>Drowned village reappears</h1>"
        + "".join(f"<p>{p}</p>{ad if i % 2 else more}" for i, p in enumerate(b["ads"]))
        + "<div class='newsletter'><p>Get the Valley Ledger morning briefing in your inbox every "
        "weekday, with the stories that matter to the county and nothing else.</p><form><input>"
        f"<button>Sign up</button></form></div></article>{FOOTER}",
        "figures": f"{NAV}<article><h1>Civil war hoard declared treasure</h1><div class='share'>"
        "<a href='/s/fb'>Share on Facebook</a> <a href='/s/x'>Share on X</a> <a href='/s/e'>"
        f"Email</a></div><p>{b['figures'][0]}</p><figure><img src='/c.jpg' alt='coins'>"
        "<figcaption>Some of the coins (County Museum)</figcaption></figure>"
        f"{_ps(b['figures'][1:3])}<blockquote class='pullquote'>A sign of collapse</blockquote>"
        f"<p>{b['figures'][3]}</p><div class='author-bio'><p>Jane Ashdown is the Ledger's "
        "heritage correspondent and has written about archaeology in the county for fifteen "
        f"years.</p></div></article>{FOOTER}",
        # A framework page: ~150 KB of JSON state (the text again, and much else) in a script.
        "divsoup": f"{NAV}{STATE}<div id='wrap'><div class='row'><div class='col-8'>"
        "<div class='content'>"
        "<div class='headline'><span>Island ferry to stop</span></div>"
        + "".join(f"<div class='para'><div>{p}</div></div>" for p in b["divsoup"])
        + f"</div></div><div class='col-4'><ul>{LINKS}</ul></div></div></div>"
        f"<div class='mega-footer'><ul>{LINKS}{LINKS}</ul></div>{FOOTER}",
        "comments": f"{NAV}<article><h1>Brickworks homes refused again</h1>{_ps(b['comments'])}"
        "</article><section id='comments' class='comments'><h2>Comments (5)</h2>"
        + "".join(
            f"<div class='comment'><span class='author'>reader{i}</span><p>{c}</p></div>"
            for i, c in enumerate(COMMENT_TEXT)
        )
        + f"</section>{FOOTER}",
    }
    return {name: (_page(name, html), "\n\n".join(b[name])) for name, html in built.items()}


def _tokens(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.lower()))


def score(found: str, gold: str) -> tuple[float, float, float]:
    got, want = _tokens(found), _tokens(gold)
    common = sum((got & want).values())
    p = common / sum(got.values()) if got else 0.0
    r = common / sum(want.values()) if want else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def trafilatura_extract(html: bytes, url: str) -> str:
    return articles.extract(html, url, "text/html").text  # briefing's own settings


def naive(html: bytes, url: str) -> str:
    return html_to_text(html.decode(), 1_000_000)


def extractors() -> dict[str, Extractor]:
    found: dict[str, Extractor] = {"trafilatura": trafilatura_extract}
    try:
        from readability import Document

        def readability(html: bytes, url: str) -> str:
            return html_to_text(Document(html.decode()).summary(), 1_000_000)

        found["readability"] = readability
    except ImportError:
        print("# readability-lxml not installed: skipped")
    try:
        import justext

        stop = justext.get_stoplist("English")

        def jus(html: bytes, url: str) -> str:
            # Defaults (length_high=200) call every news-length paragraph "near good" at best.
            paras = justext.justext(html, stop, length_low=50, length_high=120)
            return "\n\n".join(p.text for p in paras if not p.is_boilerplate)

        found["justext"] = jus
    except ImportError:
        print("# justext not installed: skipped")
    found["naive"] = naive
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per page")
    args = parser.parse_args()
    corpus = pages()
    for name, run in extractors().items():
        run(*next((h, f"https://ledger.example/{n}") for n, (h, _) in corpus.items()))  # warm
        scores, times = [], []
        for page, (html, gold) in corpus.items():
            url = f"https://ledger.example/{page}"
            took = []
            for _ in range(args.runs):
                started = time.perf_counter()
                text = run(html, url)
                took.append((time.perf_counter() - started) * 1000)
            times.append(statistics.median(took))
            scores.append(score(text, gold))
            kb = len(html) / 1000
            print(f"# {name} {page} ({kb:.0f} KB): P={scores[-1][0]:.2f} R={scores[-1][1]:.2f}")
        for i, metric in enumerate(("precision", "recall", "f1")):
            print(f"fulltext_{name}_{metric}: {statistics.mean(s[i] for s in scores):.3f}")
        print(f"fulltext_{name}_ms: {statistics.median(times):.2f}")
        print(f"fulltext_{name}_max_ms: {max(times):.2f}")
    print("# reproduce: .venv/bin/python benchmarks/fulltext.py")


if __name__ == "__main__":
    main()
