// The widget's strings, Vietnamese first: {vi: {msgid: text}, en: {msgid:
// text}}. Empty here: the app fills it when it bundles the widget, from the
// pages' gettext catalogs (moderator_ui/locale), with the msgids the widget's
// sources pass to t() that a language says otherwise (t() shows the others as
// written; server/web/widget.py). One catalog serves the pages and the widget;
// this file must never hold translations of its own.

export const MESSAGES = { vi: {}, en: {} };
