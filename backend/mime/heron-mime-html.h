/* heron-mime-html.h: HTML to plain text (previews, quoting, the search index)
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* HTML larger than this is cut before it is parsed. */
#define HERON_MIME_MAX_HTML_INPUT (8 * 1024 * 1024)

/* Turns HTML (UTF-8) into plain text with libxml2's HTML parser (recovering, no network):
 * block elements become line breaks, paragraphs blank lines, list items "• " or "1. ", <br> a
 * line break, <pre> keeps its white space, <blockquote> becomes "> " quoting, links become
 * "text <url>" when the text is not the URL, script/style/head and hidden elements are dropped,
 * entities are decoded and white space is collapsed. The result holds at most max_bytes bytes
 * (0: HERON_MIME_MAX_TEXT_LENGTH) and has no trailing newline. Never NULL. */
char *heron_mime_html_to_text (const char *html,
                               gssize      len,
                               gsize       max_bytes);

G_END_DECLS
