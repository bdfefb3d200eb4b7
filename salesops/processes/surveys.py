"""满意度调查 (satisfaction survey): explain the purpose → the customer fills in the
questionnaire → collected and checked for completeness → thanks → handed in to the manager.

The questionnaire is office.yaml ``survey``: score questions on a scale, and text questions.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from salesops import csvread, resolve, yamlio
from salesops.errors import SalesopsError
from salesops.i18n import t
from salesops.models.office import Office, Question
from salesops.models.operations import Survey, SurveyBook
from salesops.models.staff import Staff
from salesops.processes import credit
from salesops.processes.record import record_event
from salesops.session import Session
from salesops.state import State
from salesops.text import safe, whole_number


def question_label(q: Question, office: Office | None = None) -> str:
    text = office.label("survey", q.id) if office is not None else q.text
    return t("{q}（{i}）", "{q} ({i})", q=text, i=q.id)


# What is typed (at the prompt, in --answer, in a file) for a question the customer declines.
DECLINE_KEY = "-"
DECLINE_WORDS = (
    DECLINE_KEY,
    "拒答",
    "拒绝",
    "拒绝回答",
    "不答",
    "不回答",
    "不愿回答",
    "declined",
    "decline",
    "refused",
)


def declines(value: object) -> bool:
    """Whether an answer as typed says the customer declined the question (拒答)."""
    return str(value).strip().lower() in DECLINE_WORDS


def find_question(office: Office, key: str) -> Question | None:
    """The question ``key`` names: its id, its text (Chinese or English) or its number."""
    found = office.lookup("survey", key)
    return next((q for q in office.survey if q.id == found), None)


def _no_such_question(office: Office, key: str) -> str:
    """The refusal of an unknown question key, with the nearest key or text (a typo), else
    the keys there are."""
    import difflib

    names = {q.id: q for q in office.survey} | {q.text: q for q in office.survey}
    close = difflib.get_close_matches(str(key).strip(), list(names), n=1, cutoff=0.6)
    if close:
        q = names[close[0]]
        return t(
            "问卷中没有“{k}”这一题；是不是 {i}（{q}）？",
            "the questionnaire has no question '{k}'; did you mean {i} ({q})?",
            k=safe(key),
            i=q.id,
            q=q.text,
        )
    return t(
        "问卷中没有“{k}”这一题；题号：{all}",
        "the questionnaire has no question '{k}'; the questions are: {all}",
        k=safe(key),
        all=t("、", ", ").join(q.id for q in office.survey),
    )


def parse_answers(
    office: Office, raw: dict[str, object]
) -> tuple[dict[str, int], dict[str, str], list[str]]:
    """Answers keyed by question id or text → (scores, comments, declined). An answer of
    ``拒答`` (or ``-``) records the question as declined. Refuses what is unknown, out of the
    scale, or missing (neither answered nor declined), naming every question concerned."""
    scores: dict[str, int] = {}
    comments: dict[str, str] = {}
    declined: set[str] = set()
    errors: list[str] = []
    wrong: set[str] = set()  # answered, but not validly: named once, not also as missing
    for key, value in raw.items():
        q = find_question(office, key)
        if q is None:
            errors.append(_no_such_question(office, key))
            continue
        text = "" if value is None else str(value).strip()
        if text == "":
            continue  # unanswered: counted below if required
        if declines(text):
            declined.add(q.id)
            continue
        if q.type == "text":
            comments[q.id] = text
            continue
        lo, hi = q.scale
        try:
            score = whole_number(text)
        except ValueError:
            wrong.add(q.id)
            errors.append(
                t(
                    "“{q}”的评分“{v}”不是整数（{lo}-{hi} 分）",
                    "'{q}': score '{v}' is not a whole number ({lo}-{hi})",
                    q=office.label("survey", q.id),
                    v=safe(text),
                    lo=lo,
                    hi=hi,
                )
            )
            continue
        if not lo <= score <= hi:
            wrong.add(q.id)
            errors.append(
                t(
                    "“{q}”的评分 {v} 超出范围（{lo}-{hi} 分）",
                    "'{q}': score {v} is outside the scale {lo}-{hi}",
                    q=office.label("survey", q.id),
                    v=score,
                    lo=lo,
                    hi=hi,
                )
            )
            continue
        scores[q.id] = score
    missing = [
        q
        for q in office.survey
        if q.required
        and q.id not in scores
        and q.id not in comments
        and q.id not in wrong
        and q.id not in declined
    ]
    if missing:
        errors.append(
            t(
                "问卷未填写完整，缺少：{m}；请客户补填后再收回（客户拒答的题填“拒答”或 {d}）",
                "the questionnaire is incomplete; unanswered: {m}. Ask the customer to complete "
                "it (a question the customer declines: answer 'declined' or {d})",
                m=t("、", ", ").join(question_label(q, office) for q in missing),
                d=DECLINE_KEY,
            )
        )
    if errors:
        raise SalesopsError(
            "\n".join(errors),
            data={"missing": [q.id for q in missing]},
        )
    # in the questionnaire's order; a question answered as well as declined is answered
    order = [q.id for q in office.survey if q.id in declined]
    return scores, comments, [qid for qid in order if qid not in scores and qid not in comments]


def read_answers(path: str | Path) -> dict[str, object]:
    """Answers from a file: YAML (``question: answer``) or CSV (rows of question, answer)."""
    p = Path(path)
    if p.suffix.lower() == ".csv":
        out: dict[str, object] = {}
        for line, row in csvread.read(p):
            if line == 1 and row and row[0].lower() in ("question", "id", "题目", "问题", "题号"):
                continue  # a header row
            if len(row) < 2:
                raise SalesopsError(
                    t(
                        "{f} 第 {n} 行：应为“题目,答案”两列",
                        "{f} line {n}: expected two columns, question and answer",
                        f=p.name,
                        n=line,
                    )
                )
            if row[0] in out:
                raise SalesopsError(
                    t(
                        "{f} 第 {n} 行：“{q}”答了两次",
                        "{f} line {n}: '{q}' is answered twice",
                        f=p.name,
                        n=line,
                        q=safe(row[0]),
                    )
                )
            out[row[0]] = ",".join(row[1:]) if len(row) > 2 else row[1]
        return out
    text = csvread.decode(csvread.read_bytes(p), p.name)
    data, _ = yamlio.loads(text, p.name)
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(
        isinstance(v, str | type(None)) for v in data.values()
    ):
        raise SalesopsError(
            t(
                "{f}：应为“题目: 答案”的列表，每题一行",
                "{f}: expected 'question: answer', one per line",
                f=p.name,
            )
        )
    return data


def default_receiver(state: State) -> Staff | None:
    """The questionnaire goes to the sales manager: the only active one, if there is one."""
    managers = [s for s in state.active_staff() if s.role == "manager"]
    return managers[0] if len(managers) == 1 else None


def record_survey(
    ses: Session,
    customer: str,
    answers: dict[str, object],
    received_by: str | None = None,
    staff: str | None = None,
) -> Survey:
    """The questionnaire, credited to ``staff`` (default: the customer's owner)."""
    state = ses.state
    cs = resolve.customer(state, customer)
    consultant = credit.default(state, cs, ses.actor.id, staff)
    scores, comments, declined = parse_answers(state.office, answers)
    if received_by:
        receiver = resolve.staff(state, received_by)
    else:
        receiver = default_receiver(state)
        if receiver is None:
            raise SalesopsError(
                t(
                    "问卷交给哪位经理？请用 --to 指定",
                    "which manager receives the questionnaire? pass --to",
                )
            )
    return record_event(
        ses,
        Survey,
        "survey record",
        cs.id,
        consultant=consultant,
        scores=scores,
        comments=comments,
        declined=declined,
        received_by=receiver.id,
    )


def surveys(state: State, start: dt.date | None = None, end: dt.date | None = None) -> list[Survey]:
    """Surveys taken between ``start`` and ``end`` (office dates, both included)."""
    out = []
    for s in state.part(SurveyBook).surveys:
        day = state.local_date(s.at)
        if (start is None or day >= start) and (end is None or day <= end):
            out.append(s)
    return out


def summarize(state: State, start: dt.date | None = None, end: dt.date | None = None) -> dict:
    """Count, mean and distribution per score question, and every comment."""
    chosen = surveys(state, start, end)
    questions = []
    for q in state.office.survey:
        if q.type != "score":
            continue
        values = [s.scores[q.id] for s in chosen if q.id in s.scores]
        lo, hi = q.scale
        questions.append(
            {
                "id": q.id,
                "text": q.text,
                "count": len(values),
                "declined": sum(1 for s in chosen if q.id in s.declined),
                "mean": round(sum(values) / len(values), 2) if values else None,
                "distribution": {str(v): values.count(v) for v in range(lo, hi + 1)},
            }
        )
    texts = {q.id: q.text for q in state.office.survey}
    comments = [
        {
            "at": state.local(s.at),
            "customer": s.customer,
            "question": qid,
            "question_text": texts.get(qid, qid),
            "text": text,
        }
        for s in chosen
        for qid, text in s.comments.items()
    ]
    declined = {
        q.id: n for q in state.office.survey if (n := sum(1 for s in chosen if q.id in s.declined))
    }
    return {
        "from": start,
        "to": end,
        "count": len(chosen),
        "incomplete": sum(1 for s in chosen if s.declined),
        "declined": declined,
        "questions": questions,
        "comments": comments,
    }
