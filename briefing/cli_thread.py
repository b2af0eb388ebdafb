"""`briefing thread ...`: correct threads by hand from the command line, and ask why.

    briefing thread show THREAD          its stories, with short ids and join scores
    briefing thread detach STORY_ID      move a story out into a thread of its own
    briefing thread merge THREAD INTO    merge THREAD into INTO (INTO keeps its id and name)
    briefing thread rename THREAD NAME   name it yourself; the engine never renames it after
    briefing thread undo                 undo the last correction (again for the one before)
    briefing thread why STORY_ID         the score, shared entities and words that joined it

THREAD is an id or part of a name (as for `briefing export`); STORY_ID is a story id or a
unique start of one (6 or more characters). Errors are usage errors: exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from briefing.config import Session
from briefing.safety import clean_line, format_table

if TYPE_CHECKING:
    from briefing.models import Correction, Thread
    from briefing.store import Store


def add_parser(sub: Any, common: list[Any], with_json: list[Any]) -> None:
    """The `thread` subcommand and its actions, on the main parser's subparsers; ``common``
    and ``with_json`` are the parent parsers of the global options and of --json."""
    thread = sub.add_parser(
        "thread",
        parents=common,
        help="correct threads by hand (detach, merge, rename, undo) and see why",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = thread.add_subparsers(dest="action", metavar="ACTION", required=True)
    show = actions.add_parser(
        "show", parents=with_json, help="a thread's stories with their ids and scores"
    )
    show.add_argument("thread", metavar="THREAD", help="thread id or part of its name")
    detach = actions.add_parser(
        "detach", parents=with_json, help="move a story into a thread of its own"
    )
    detach.add_argument("story", metavar="STORY_ID", help="story id (or its first 6+ characters)")
    merge = actions.add_parser(
        "merge", parents=with_json, help="merge THREAD into INTO, which keeps its id"
    )
    merge.add_argument("thread", metavar="THREAD", help="the thread merged away")
    merge.add_argument("into", metavar="INTO", help="the thread it goes into")
    rename = actions.add_parser(
        "rename", parents=with_json, help="give a thread a name of your own"
    )
    rename.add_argument("thread", metavar="THREAD", help="thread id or part of its name")
    rename.add_argument("name", metavar="NAME", nargs="+", help="the new name")
    actions.add_parser("undo", parents=with_json, help="undo the last correction")
    why = actions.add_parser("why", parents=with_json, help="why a story is in its thread")
    why.add_argument("story", metavar="STORY_ID", help="story id (or its first 6+ characters)")
    thread.set_defaults(func=cmd_thread)


def cmd_thread(session: Session, args: argparse.Namespace) -> int:
    from briefing import corrections
    from briefing.store import Store

    now = datetime.now(UTC)
    with Store(session.db_path) as store:
        try:
            if args.action == "show":
                return _show(store, _one_thread(store, args.thread), args.json)
            if args.action == "why":
                return _why(store, corrections.find_story(store, args.story).id, args.json)
            if args.action == "detach":
                story = corrections.find_story(store, args.story)
                return _done(corrections.detach(store, story.id, now), args.json)
            if args.action == "merge":
                gone, keep = _one_thread(store, args.thread), _one_thread(store, args.into)
                return _done(corrections.merge(store, gone.id, keep.id, now), args.json)
            if args.action == "rename":
                target, name = _one_thread(store, args.thread), " ".join(args.name)
                return _done(corrections.rename(store, target.id, name, now), args.json)
            undone = corrections.undo(store)
            if undone is None:
                raise corrections.CorrectionError("nothing to undo")
            return _done(undone, args.json, undone=True)
        except corrections.CorrectionError as exc:
            print(f"briefing thread {args.action}: {clean_line(str(exc), 200)}", file=sys.stderr)
            return 2


def _one_thread(store: Store, wanted: str) -> Thread:
    from briefing.corrections import CorrectionError

    found = store.find_threads(wanted, limit=21)
    if len(found) == 1:
        return found[0]
    if not found:
        raise CorrectionError(f"no thread matches {clean_line(wanted, 60)!r}")
    listed = "\n".join(f"  {t.id:>6}  {clean_line(t.name, 70)}" for t in found[:20])
    more = "\n  …" if len(found) > 20 else ""
    raise CorrectionError(
        f"{len(found) if len(found) <= 20 else 'many'} threads match "
        f"{clean_line(wanted, 60)!r}; give one id:\n{listed}{more}"
    )


def _done(done: Correction, as_json: bool, *, undone: bool = False) -> int:
    from briefing.corrections import describe

    if as_json:
        print(json.dumps({
            "correction": done.id, "kind": done.kind, "undone": undone,
            "from_thread": done.from_thread, "to_thread": done.to_thread, "story": done.story,
            "old_name": done.old_name, "new_name": done.new_name,
            "message": describe(done, undone=undone),
        }))  # fmt: skip
        return 0
    prefix = "undone: " if undone else ""
    print(prefix + describe(done, undone=undone))
    if done.kind == "detach" and not undone:
        print(f"the story is now thread {done.to_thread}; `briefing thread undo` puts it back")
    return 0


def _show(store: Store, thread: Thread, as_json: bool) -> int:
    stories = store.stories(thread_id=thread.id, limit=100_000)
    scores = {s.id: store.join_record(s.id)[0] for s in stories}
    if as_json:
        print(json.dumps({
            "id": thread.id, "name": thread.name,
            "stories": [{"id": s.id, "title": s.title, "source": s.source,
                         "published": s.published.isoformat(), "score": scores[s.id]}
                        for s in stories],
        }))  # fmt: skip
        return 0

    print(f"thread {thread.id}: {clean_line(thread.name, 80)}")
    rows = [
        (s.id[:10], "—" if scores[s.id] is None else f"{scores[s.id]:.2f}", s.source, s.title)
        for s in stories
    ]
    print(format_table(("story", "score", "source", "title"), rows, right={1}))
    return 0


def _why(store: Store, story_id: str, as_json: bool) -> int:
    from briefing.corrections import TYPE_WORDS, why

    found = why(store, story_id)
    if as_json:
        print(json.dumps({
            "story": found.story.id, "title": found.story.title,
            "thread": None if found.thread is None else
                {"id": found.thread.id, "name": found.thread.name},
            "score": found.score, "verdict": found.verdict(), "others": found.others,
            "entities": [{"name": n, "type": t, "stories": c} for n, t, c in found.entities],
            "words": [{"word": w, "stories": c} for w, c in found.words],
        }))  # fmt: skip
        return 0
    print(clean_line(found.story.title, 100))
    if found.thread is None:
        print("not in a thread yet (threads are made when feeds are refreshed)")
        return 0
    print(f"thread {found.thread.id}: {clean_line(found.thread.name, 80)}")
    print(found.verdict())
    if not found.others:
        print("it is the only story in its thread")
        return 0
    if found.entities:
        print("shared entities (how many other stories of the thread name them):")
        for name, etype, count in found.entities:
            print(f"  {clean_line(name, 60)} ({TYPE_WORDS.get(etype, etype.lower())}) · {count}")
    if found.words:
        words = ", ".join(f"{clean_line(w, 30)} ({c})" for w, c in found.words)
        print(f"shared words: {words}")
    if not found.entities and not found.words:
        print("it shares no entity or word with the thread's other stories")
    return 0
