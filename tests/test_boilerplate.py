"""Feed boilerplate: what a feed repeats under its items is dropped, the story's own text stays."""

from __future__ import annotations

from briefing import boilerplate

CHANNEL = (
    "Subscribe to 1 NEWS: http://bit.ly/1NEWSSubscribe\n"
    "Join the Seven Sharp team for a fresh perspective on today's stories.\n"
    "Like us on Facebook: https://www.facebook.com/1NEWS"
)
LEDES = [
    "A veteran climber rescued an overseas couple with longjohns.",
    "Over 100 artists are displaying their work at Art in the Park.",
    "There are concerns for what will happen to the fish housed there.",
    "Jade Wang says the housing market is tough on buyers' mental health.",
]


def test_segments_a_feed_repeats_are_dropped_and_each_lede_stays() -> None:
    texts = [f"{lede}\n\n{CHANNEL}" for lede in LEDES]
    assert boilerplate.strip_all(texts) == LEDES


def test_a_segment_in_a_few_items_only_is_the_story_not_boilerplate() -> None:
    shared = "The council voted on Tuesday to close the bridge."
    texts = [f"{LEDES[0]} {shared}", f"{LEDES[1]} {shared}"] + [
        f"Item {n} is about something else entirely." for n in range(20)
    ]
    out = boilerplate.strip_all(texts)
    assert shared in out[0] and shared in out[1]  # 2 of 22: a story two items share


def test_a_repeated_first_sentence_goes_and_a_blurb_alone_leaves_nothing() -> None:
    promo = "For more TV Patrol videos, click the link below: http://bit.ly/TVPatrol"
    texts = [f"{promo}\n{lede}" for lede in LEDES] + [promo]
    out = boilerplate.strip_all(texts)
    assert out[:4] == LEDES
    assert out[4] == ""  # only the channel's blurb: the title says what the video is
    own = "Join us Wednesday for a live video event with our reporters."
    assert boilerplate.strip(f"{own}\nSubscribe to our channel: https://x.example/s") == own


def test_footers_links_hashtags_and_tags_go_even_when_not_repeated() -> None:
    text = (
        "<p>Regents approve a tuition rise.</p>\n"
        "The post Tuition rises appeared first on Campus Daily.\n"
        "Continue reading… #UC #news"
    )
    assert boilerplate.strip(text) == "Regents approve a tuition rise."
    assert boilerplate.strip("") == ""
