"""The calendar domain: working days (China's public holidays and 调休 make-up days) and
per-county deadlines. Every deadline shown anywhere comes from `backend.workcal.service`.

Named `workcal`, not `calendar`: a folder `backend/calendar/` shadows the standard library's
`calendar` (used by `email`, `http.cookiejar`, …) whenever Python starts inside `backend/`.
"""
