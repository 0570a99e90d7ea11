/* heron-mime-init.c: process-wide setup of GMime and libxml2 for backend/mime
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <libxml/parser.h>

#include "heron-mime-private.h"

static gsize init_once = 0;
/* Parser defects of the parse running on this thread. */
static _Thread_local guint parse_defects = 0;

static void
on_parser_warning (gint64              offset,
                   GMimeParserWarning  errcode,
                   const char         *item,
                   gpointer            user_data)
{
  /* repeated or 8-bit headers and sloppy encoded words are everyday mail, not damage */
  if (errcode == GMIME_WARN_DUPLICATED_HEADER || errcode == GMIME_WARN_UNENCODED_8BIT_HEADER ||
      errcode == GMIME_WARN_INVALID_RFC2047_HEADER_VALUE ||
      errcode == GMIME_WARN_DUPLICATED_PARAMETER)
    return;
  parse_defects++;
}

void
_heron_mime_defects_reset (void)
{
  parse_defects = 0;
}

guint
_heron_mime_defects_get (void)
{
  return parse_defects;
}
static GMimeParserOptions *parser_options = NULL;

/* The options are shared by every parse and never change after setup: GMime objects keep a
 * pointer to them for as long as they live, so they must outlive every object. */
void
_heron_mime_ensure_init (void)
{
  if (g_once_init_enter (&init_once))
    {
      const char *fallbacks[] = { "UTF-8", _heron_mime_fallback_charset (), NULL };

      g_mime_init ();
      xmlInitParser ();
      parser_options = g_mime_parser_options_new ();
      g_mime_parser_options_set_fallback_charsets (parser_options, fallbacks);
      g_mime_parser_options_set_address_compliance_mode (parser_options, GMIME_RFC_COMPLIANCE_LOOSE);
      g_mime_parser_options_set_parameter_compliance_mode (parser_options, GMIME_RFC_COMPLIANCE_LOOSE);
      g_mime_parser_options_set_rfc2047_compliance_mode (parser_options, GMIME_RFC_COMPLIANCE_LOOSE);
      g_mime_parser_options_set_warning_callback (parser_options, on_parser_warning, NULL);
      g_once_init_leave (&init_once, 1);
    }
}

GMimeParserOptions *
_heron_mime_parser_options (void)
{
  _heron_mime_ensure_init ();
  return parser_options;
}

void
heron_mime_init (void)
{
  _heron_mime_ensure_init ();
}

void
heron_mime_shutdown (void)
{
  if (init_once == 0)
    return;
  g_clear_pointer (&parser_options, g_mime_parser_options_free);
  g_mime_shutdown ();
  xmlCleanupParser ();
  /* a later heron_mime_init() sets everything up again (single-threaded use only) */
  init_once = 0;
}
