"""Documents written for people from a dialogue's record: the spreadsheet a
clerk works in (``spreadsheet``, XLSX) and the report to the leadership
(``report``, DOCX). Each renders what it is given (``actions.Record``'s
parts: the dialogue, its questions, export rows and figures) in the reader's
language (a gettext) to bytes; nothing here reads Redis or knows HTTP."""
