"""The guidance answer: what the core hands any chat surface for a situation."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.guidance.library import Library
from bot.guidance.schema import PolicyLink, Topic
from bot.guidance.search import Hit, Searcher, SearchResult

ALTERNATIVES = 3


@dataclass(frozen=True)
class Answer:
    query: str
    result: SearchResult
    topic: Topic | None  # None when no topic fits with confidence
    alternatives: list[Hit] = field(default_factory=list)
    policies: list[PolicyLink] = field(default_factory=list)

    @property
    def crisis(self) -> bool:
        return self.result.crisis


class GuidanceService:
    def __init__(
        self, library: Library, searcher: Searcher, oncall_line: str | None = None
    ) -> None:
        self.library = library
        self.searcher = searcher
        self.oncall_line = oncall_line

    def answer(self, text: str) -> Answer:
        result = self.searcher.search(text, top=1 + ALTERNATIVES)
        topic = None
        if result.results and (result.confident or result.crisis):
            topic = self.library.get(result.results[0].id)
        alternatives = result.results[1:] if topic else result.results[:ALTERNATIVES]
        return Answer(
            query=text,
            result=result,
            topic=topic,
            alternatives=list(alternatives),
            policies=self.library.policies_for(topic) if topic else [],
        )

    def topic_answer(self, topic_id: str, query: str = "") -> Answer | None:
        """Guidance for a chosen topic (browser, 'other match' buttons, tips' 'more')."""
        topic = self.library.get(topic_id)
        if topic is None:
            return None
        result = SearchResult(query=query, results=[], confident=True, crisis=False)
        return Answer(
            query=query, result=result, topic=topic, policies=self.library.policies_for(topic)
        )
