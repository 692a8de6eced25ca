"""NotifyRequest's `subject_id` was once `about_interview_id`: requests recorded in histories or
scheduled before the rename still decode to it; new ones are written with the new name."""

from contracts.notify import NotifyRequest
from core.temporal import data_converter

OLD = {
    "event_key": "interview-jp_x-u_y-r1:reminder-1h",
    "template": "interview_booked",
    "recipient_ids": ["u_y"],
    "about_interview_id": "interview-jp_x-u_y-r1",
}


def test_a_request_written_with_the_old_name_decodes_to_subject_id() -> None:
    converter = data_converter().payload_converter
    payloads = converter.to_payloads([OLD])
    [request] = converter.from_payloads(payloads, [NotifyRequest])
    assert request.subject_id == "interview-jp_x-u_y-r1"

    [again] = converter.from_payloads(converter.to_payloads([request]), [NotifyRequest])
    assert again.subject_id == "interview-jp_x-u_y-r1"
    assert b"subject_id" in converter.to_payloads([request])[0].data
    assert b"about_interview_id" not in converter.to_payloads([request])[0].data


def test_a_copy_updated_by_the_new_name_changes_the_subject() -> None:
    request = NotifyRequest(**OLD)
    other = request.model_copy(update={"subject_id": "interview-jp_x-u_y-r2"})
    assert (request.subject_id, other.subject_id) == (
        "interview-jp_x-u_y-r1",
        "interview-jp_x-u_y-r2",
    )
