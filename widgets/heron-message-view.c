/* heron-message-view.c: the reader
 *
 * Security (../shared/DESIGN.md): HTML is shown in a WebKitWebView with page scripts off, in an
 * ephemeral network session, with a content filter that blocks every load but cid:, data: and
 * about: until the person allows remote content for the message or its sender. The filter is
 * compiled once per process; a view waits for it before loading HTML, and if it cannot be
 * compiled the HTML is not shown (the text version is), so nothing can leak. Navigation inside
 * the view is refused: a web link opens in the browser after its target was shown, mailto: goes
 * to the window's composer, any other scheme only after a question naming its target.
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "heron-message-view.h"

#define FILTER_ID "heron-block-remote-content"

/* Block everything, then let the message's own parts through. WebKit's url-filter has no
 * alternation, so one rule per scheme. */
static const char filter_rules[] =
  "["
  "{\"trigger\":{\"url-filter\":\".*\"},\"action\":{\"type\":\"block\"}},"
  "{\"trigger\":{\"url-filter\":\"^cid:\"},\"action\":{\"type\":\"ignore-previous-rules\"}},"
  "{\"trigger\":{\"url-filter\":\"^data:\"},\"action\":{\"type\":\"ignore-previous-rules\"}},"
  "{\"trigger\":{\"url-filter\":\"^about:\"},\"action\":{\"type\":\"ignore-previous-rules\"}}"
  "]";

struct _HeronMessageView
{
  GtkWidget                 parent_instance;

  GSettings                *settings;
  HeronMessage             *message;
  HeronMimeMessage         *mime;
  GCancellable             *cancellable;
  GPtrArray                *attachments;     /* HeronMimeAttachment shown, by index */

  WebKitWebView            *web_view;
  WebKitUserContentManager *content_manager;
  char                     *html;            /* the HTML of the message shown */
  gboolean                  showing_html;
  gboolean                  loaded;          /* the body of the message is on screen */
  gboolean                  remote_allowed;  /* for the message shown */
  gboolean                  has_remote;
  gboolean                  filter_installed;
  gboolean                  waiting_for_filter;
  char                     *hover_uri;
  char                     *hover_label;

  /* Template children */
  AdwToastOverlay          *toast_overlay;
  GtkStack                 *main_stack;
  GtkSpinner               *spinner;
  AdwStatusPage            *error_page;
  GtkInfoBar               *remote_bar;
  GtkWidget                *always_remote_button;
  GtkLabel                 *subject_label;
  GtkLabel                 *sender_label;
  GtkWidget                *sender_warning;
  GtkLabel                 *date_label;
  GtkLabel                 *to_label;
  GtkLabel                 *cc_label;
  GtkFlowBox               *attachments_box;
  GtkStack                 *body_stack;
  GtkOverlay               *html_overlay;
  GtkLabel                 *link_label;
  GtkTextView              *plain_view;
};

G_DEFINE_FINAL_TYPE (HeronMessageView, heron_message_view, GTK_TYPE_WIDGET)

enum {
  SIGNAL_LOADED,
  SIGNAL_LOAD_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void heron_message_view_load_body       (HeronMessageView *self);
static void heron_message_view_ensure_web_view (HeronMessageView *self);
static void heron_message_view_toast           (HeronMessageView *self,
                                                const char       *text);

GtkWidget *
heron_message_view_new (void)
{
  return g_object_new (HERON_TYPE_MESSAGE_VIEW, NULL);
}

/* The process-wide parts: one web context (for the cid: scheme), one ephemeral network session
 * and the compiled content filter. */

static WebKitWebContext *shared_context;
static WebKitNetworkSession *shared_session;
static WebKitUserContentFilterStore *filter_store;
static WebKitUserContentFilter *block_filter;
static gboolean filter_failed;
static gboolean filter_pending;
static GPtrArray *filter_waiters;  /* HeronMessageView waiting for the filter (strong refs) */

static void
on_cid_request (WebKitURISchemeRequest *request,
                gpointer                user_data)
{
  WebKitWebView *web_view = webkit_uri_scheme_request_get_web_view (request);
  HeronMessageView *self = web_view != NULL ? g_object_get_data (G_OBJECT (web_view), "heron-message-view") : NULL;
  g_autofree char *content_type = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  WebKitURISchemeResponse *response;

  if (self == NULL || self->mime == NULL ||
      !heron_mime_message_lookup_cid (self->mime, webkit_uri_scheme_request_get_uri (request),
                                      &content_type, &content))
    {
      error = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No part %s in the message",
                           webkit_uri_scheme_request_get_uri (request));
      webkit_uri_scheme_request_finish_error (request, error);
      return;
    }

  stream = g_memory_input_stream_new_from_bytes (content);
  response = webkit_uri_scheme_response_new (stream, (gint64) g_bytes_get_size (content));
  webkit_uri_scheme_response_set_content_type (response, content_type);
  webkit_uri_scheme_request_finish_with_response (request, response);
  g_object_unref (response);
}

static void
ensure_shared_web_parts (void)
{
  if (shared_context != NULL)
    return;

  shared_context = webkit_web_context_new ();
  webkit_web_context_set_cache_model (shared_context, WEBKIT_CACHE_MODEL_DOCUMENT_VIEWER);
  webkit_web_context_register_uri_scheme (shared_context, "cid", on_cid_request, NULL, NULL);
  webkit_security_manager_register_uri_scheme_as_secure (webkit_web_context_get_security_manager (shared_context),
                                                         "cid");
  shared_session = webkit_network_session_new_ephemeral ();
}

static void
filter_waiters_flush (void)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&filter_waiters);

  if (waiters == NULL)
    return;
  for (guint i = 0; i < waiters->len; i++)
    {
      HeronMessageView *view = g_ptr_array_index (waiters, i);

      if (view->waiting_for_filter)
        {
          view->waiting_for_filter = FALSE;
          heron_message_view_load_body (view);
        }
    }
}

static void
on_filter_saved (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  filter_pending = FALSE;
  block_filter = webkit_user_content_filter_store_save_finish (WEBKIT_USER_CONTENT_FILTER_STORE (source),
                                                               result, &error);
  if (block_filter == NULL)
    {
      g_warning ("Cannot compile the filter that blocks remote content: %s; HTML messages are shown as text",
                 error->message);
      filter_failed = TRUE;
    }
  filter_waiters_flush ();
}

/* TRUE when the filter is ready (or failed); otherwise the view is called back. */
static gboolean
heron_message_view_ensure_filter (HeronMessageView *self)
{
  if (block_filter != NULL || filter_failed)
    return TRUE;

  if (filter_waiters == NULL)
    filter_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (filter_waiters, g_object_ref (self));
  self->waiting_for_filter = TRUE;

  if (!filter_pending)
    {
      g_autofree char *path = g_build_filename (g_get_user_cache_dir (), "heron", "content-filters", NULL);
      g_autoptr(GBytes) rules = g_bytes_new_static (filter_rules, sizeof filter_rules - 1);

      filter_pending = TRUE;
      g_mkdir_with_parents (path, 0700);
      filter_store = webkit_user_content_filter_store_new (path);
      webkit_user_content_filter_store_save (filter_store, FILTER_ID, rules, NULL, on_filter_saved, NULL);
    }
  return FALSE;
}

/* Settings */

void
heron_message_view_set_settings (HeronMessageView *self,
                                 GSettings        *settings)
{
  g_return_if_fail (HERON_IS_MESSAGE_VIEW (self));
  g_return_if_fail (settings == NULL || G_IS_SETTINGS (settings));

  g_set_object (&self->settings, settings);
}

static gboolean
settings_has_key (GSettings  *settings,
                  const char *key)
{
  g_autoptr(GSettingsSchema) schema = NULL;

  if (settings == NULL)
    return FALSE;
  g_object_get (settings, "settings-schema", &schema, NULL);
  return schema != NULL && g_settings_schema_has_key (schema, key);
}

static gboolean
heron_message_view_sender_allowed (HeronMessageView *self)
{
  g_auto(GStrv) senders = NULL;
  const char *address;

  if (self->message == NULL)
    return FALSE;
  address = heron_message_get_sender_address (self->message);
  if (address == NULL || *address == '\0' || !settings_has_key (self->settings, HERON_MESSAGE_VIEW_SENDERS_KEY))
    return FALSE;

  senders = g_settings_get_strv (self->settings, HERON_MESSAGE_VIEW_SENDERS_KEY);
  for (guint i = 0; senders[i] != NULL; i++)
    if (heron_mime_address_equal_addr (senders[i], address))
      return TRUE;
  return FALSE;
}

static gboolean
heron_message_view_remote_allowed_by_policy (HeronMessageView *self)
{
  g_autofree char *policy = NULL;

  if (heron_message_view_sender_allowed (self))
    return TRUE;
  if (!settings_has_key (self->settings, "load-remote-content"))
    return FALSE;
  policy = g_settings_get_string (self->settings, "load-remote-content");
  return g_strcmp0 (policy, "always") == 0;
}

static gboolean
heron_message_view_prefer_html (HeronMessageView *self)
{
  if (!settings_has_key (self->settings, "prefer-html"))
    return TRUE;
  return g_settings_get_boolean (self->settings, "prefer-html");
}

/* Whether the HTML loads anything from outside the message: images, style sheets, frames,
 * media, fonts, backgrounds. Only decides whether to show the bar; blocking does not depend on
 * it. */
static gboolean
html_has_remote_content (const char *html)
{
  static GRegex *regex;

  /* Of the main thread only, as the view. */
  if (regex == NULL)
    regex = g_regex_new ("(\\b(src|srcset|background|poster|data|href)\\s*=\\s*[\"']?\\s*(https?:)?//)"
                                            "|(url\\s*\\(\\s*[\"']?\\s*(https?:)?//)|(@import)",
                                            G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, NULL);

  /* href counts only on <link> (style sheets); a link the person clicks is not remote content. */
  if (html == NULL)
    return FALSE;
  {
    g_autoptr(GMatchInfo) match = NULL;

    g_regex_match (regex, html, 0, &match);
    while (g_match_info_matches (match))
      {
        g_autofree char *attr = g_match_info_fetch (match, 2);

        if (attr == NULL || g_ascii_strcasecmp (attr, "href") != 0)
          return TRUE;
        else
          {
            int start;
            const char *tag;

            g_match_info_fetch_pos (match, 0, &start, NULL);
            /* The tag the href belongs to. */
            for (tag = html + start; tag > html && *tag != '<'; tag--)
              ;
            if (g_ascii_strncasecmp (tag, "<link", 5) == 0)
              return TRUE;
          }
        g_match_info_next (match, NULL);
      }
  }
  return FALSE;
}

/* Body */

static void
heron_message_view_emit_loaded (HeronMessageView *self)
{
  self->loaded = TRUE;
  g_signal_emit (self, signals[SIGNAL_LOADED], 0);
}

static void
heron_message_view_show_plain (HeronMessageView *self,
                               const char       *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->plain_view), text != NULL ? text : "", -1);
  gtk_stack_set_visible_child_name (self->body_stack, "plain");
  self->showing_html = FALSE;
  heron_message_view_emit_loaded (self);
}

static void
heron_message_view_load_body (HeronMessageView *self)
{
  gboolean allowed;

  if (self->html == NULL)
    return;

  heron_message_view_ensure_web_view (self);
  self->loaded = FALSE;
  if (!heron_message_view_ensure_filter (self))
    return;  /* called again when the filter is ready */

  if (block_filter == NULL)
    {
      /* Without the filter remote content could not be held back: show the text version. */
      heron_message_view_show_plain (self, heron_mime_message_get_text (self->mime));
      return;
    }

  allowed = self->remote_allowed || heron_message_view_remote_allowed_by_policy (self);
  if (allowed && self->filter_installed)
    {
      webkit_user_content_manager_remove_all_filters (self->content_manager);
      self->filter_installed = FALSE;
    }
  else if (!allowed && !self->filter_installed)
    {
      webkit_user_content_manager_add_filter (self->content_manager, block_filter);
      self->filter_installed = TRUE;
    }

  gtk_info_bar_set_revealed (self->remote_bar, !allowed && self->has_remote);
  /* The button sits in a GtkFlowBoxChild. */
  gtk_widget_set_visible (gtk_widget_get_parent (self->always_remote_button),
                          settings_has_key (self->settings, HERON_MESSAGE_VIEW_SENDERS_KEY));
  self->showing_html = TRUE;
  gtk_stack_set_visible_child_name (self->body_stack, "html");
  webkit_web_view_load_html (self->web_view, self->html, NULL);
}

static void
on_load_changed (WebKitWebView    *web_view,
                 WebKitLoadEvent   event,
                 HeronMessageView *self)
{
  if (event == WEBKIT_LOAD_FINISHED && self->showing_html)
    heron_message_view_emit_loaded (self);
}

/* Headers */

static char *
join_addresses (GPtrArray *addresses)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < addresses->len; i++)
    {
      const HeronMimeAddress *address = g_ptr_array_index (addresses, i);
      g_autofree char *one = heron_mime_address_to_string (address);

      if (i > 0)
        g_string_append (text, ", ");
      g_string_append (text, one);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
set_address_label (GtkLabel   *label,
                   const char *prefix,
                   GPtrArray  *addresses)
{
  g_autofree char *joined = NULL;
  g_autofree char *text = NULL;

  gtk_widget_set_visible (GTK_WIDGET (label), addresses->len > 0);
  if (addresses->len == 0)
    return;
  joined = join_addresses (addresses);
  /* Translators: "To: a, b"; the first %s is "To" or "Cc" */
  text = g_strdup_printf (_("%s: %s"), prefix, joined);
  gtk_label_set_text (label, text);
}

static void
heron_message_view_clear_attachments (HeronMessageView *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->attachments_box))) != NULL)
    gtk_flow_box_remove (self->attachments_box, child);
  g_clear_pointer (&self->attachments, g_ptr_array_unref);
  gtk_widget_set_visible (GTK_WIDGET (self->attachments_box), FALSE);
}

static void
heron_message_view_fill_attachments (HeronMessageView *self,
                                     gboolean          html)
{
  GPtrArray *all = heron_mime_message_get_attachments (self->mime);

  heron_message_view_clear_attachments (self);
  self->attachments = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < all->len; i++)
    {
      HeronMimeAttachment *attachment = g_ptr_array_index (all, i);
      g_autoptr(GMenu) menu = NULL;
      g_autoptr(GIcon) icon = NULL;
      g_autofree char *size = NULL;
      g_autofree char *label = NULL;
      g_autofree char *open_action = NULL;
      g_autofree char *save_action = NULL;
      GtkWidget *button;
      GtkWidget *box;
      guint index;

      /* Inline images of an HTML body are in the page; everything else is listed. */
      if (html && heron_mime_attachment_is_inline (attachment) &&
          heron_mime_attachment_get_content_id (attachment) != NULL)
        continue;

      index = self->attachments->len;
      g_ptr_array_add (self->attachments, g_object_ref (attachment));

      size = g_format_size (heron_mime_attachment_get_size (attachment));
      label = g_strdup_printf ("%s (%s)", heron_mime_attachment_get_filename (attachment), size);
      open_action = g_strdup_printf ("reader.open-attachment(uint32 %u)", index);
      save_action = g_strdup_printf ("reader.save-attachment(uint32 %u)", index);
      menu = g_menu_new ();
      g_menu_append (menu, _("_Open"), open_action);
      g_menu_append (menu, _("_Save As…"), save_action);

      icon = g_content_type_get_symbolic_icon (heron_mime_attachment_get_content_type (attachment));
      box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      gtk_box_append (GTK_BOX (box), gtk_image_new_from_gicon (icon));
      gtk_box_append (GTK_BOX (box), gtk_label_new (label));

      button = gtk_menu_button_new ();
      gtk_menu_button_set_child (GTK_MENU_BUTTON (button), box);
      gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (button), G_MENU_MODEL (menu));
      gtk_widget_set_tooltip_text (button, heron_mime_attachment_get_content_type (attachment));
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
      gtk_flow_box_append (self->attachments_box, button);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->attachments_box), self->attachments->len > 0);
}

static void
heron_message_view_show_mime (HeronMessageView *self)
{
  g_autofree char *text = NULL;
  g_autofree char *date = NULL;
  HeronMimeBodyKind kind;
  gboolean suspicious = FALSE;
  GDateTime *when;
  const char *subject;

  subject = heron_mime_message_get_subject (self->mime);
  gtk_label_set_text (self->subject_label, *subject != '\0' ? subject : _("(No Subject)"));
  gtk_label_set_text (self->sender_label, heron_mime_message_get_sender_display (self->mime, &suspicious));
  gtk_widget_set_visible (self->sender_warning, suspicious);
  set_address_label (self->to_label, _("To"), heron_mime_message_get_to (self->mime));
  set_address_label (self->cc_label, _("Cc"), heron_mime_message_get_cc (self->mime));
  when = heron_mime_message_get_date (self->mime);
  if (when == NULL)
    when = heron_message_get_date (self->message);
  if (when != NULL)
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (when);

      /* Translators: the date in the reader's header, see g_date_time_format() */
      date = g_date_time_format (local, _("%a, %e %b %Y %H:%M"));
    }
  gtk_label_set_text (self->date_label, date != NULL ? date : "");

  kind = heron_mime_message_get_body (self->mime, heron_message_view_prefer_html (self), &text);
  heron_message_view_fill_attachments (self, kind == HERON_MIME_BODY_HTML);
  gtk_stack_set_visible_child_name (self->main_stack, "message");

  if (kind == HERON_MIME_BODY_HTML)
    {
      self->html = g_steal_pointer (&text);
      self->has_remote = html_has_remote_content (self->html);
      heron_message_view_load_body (self);
    }
  else
    heron_message_view_show_plain (self, text);
}

static void
on_message_loaded (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(HeronMessageView) self = user_data;
  g_autoptr(GError) error = NULL;
  HeronMimeMessage *mime;

  mime = heron_message_load_finish (HERON_MESSAGE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || HERON_MESSAGE (source) != self->message)
    {
      g_clear_object (&mime);
      return;
    }
  gtk_spinner_stop (self->spinner);

  if (mime == NULL)
    {
      if (g_error_matches (error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_OFFLINE))
        adw_status_page_set_description (self->error_page,
                                         _("This message has not been downloaded yet. It will be shown once the account is connected."));
      else
        adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->main_stack, "error");
      g_signal_emit (self, signals[SIGNAL_LOAD_FAILED], 0, error);
      return;
    }

  self->mime = mime;
  heron_message_view_show_mime (self);
}

static void
heron_message_view_reset (HeronMessageView *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->mime);
  g_clear_pointer (&self->html, g_free);
  self->showing_html = FALSE;
  self->loaded = FALSE;
  self->remote_allowed = FALSE;
  self->has_remote = FALSE;
  self->waiting_for_filter = FALSE;
  gtk_info_bar_set_revealed (self->remote_bar, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->link_label), FALSE);
  g_clear_pointer (&self->hover_uri, g_free);
  g_clear_pointer (&self->hover_label, g_free);
  heron_message_view_clear_attachments (self);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->plain_view), "", -1);
}

void
heron_message_view_set_message (HeronMessageView *self,
                                HeronMessage     *message)
{
  g_return_if_fail (HERON_IS_MESSAGE_VIEW (self));
  g_return_if_fail (message == NULL || HERON_IS_MESSAGE (message));

  if (self->message == message && message != NULL)
    return;

  heron_message_view_reset (self);
  g_set_object (&self->message, message);

  if (message == NULL)
    {
      gtk_spinner_stop (self->spinner);
      gtk_stack_set_visible_child_name (self->main_stack, "empty");
      return;
    }

  heron_message_view_ensure_web_view (self);
  self->cancellable = g_cancellable_new ();
  gtk_spinner_start (self->spinner);
  gtk_stack_set_visible_child_name (self->main_stack, "loading");
  heron_message_load_async (message, self->cancellable, on_message_loaded, g_object_ref (self));
}

HeronMessage *
heron_message_view_get_message (HeronMessageView *self)
{
  g_return_val_if_fail (HERON_IS_MESSAGE_VIEW (self), NULL);

  return self->message;
}

HeronMimeMessage *
heron_message_view_get_mime_message (HeronMessageView *self)
{
  g_return_val_if_fail (HERON_IS_MESSAGE_VIEW (self), NULL);

  return self->mime;
}

/* Made on first use (the first message opened, or this call). */
WebKitWebView *
heron_message_view_get_web_view (HeronMessageView *self)
{
  g_return_val_if_fail (HERON_IS_MESSAGE_VIEW (self), NULL);

  heron_message_view_ensure_web_view (self);
  return self->web_view;
}

char *
heron_message_view_dup_plain_text (HeronMessageView *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (HERON_IS_MESSAGE_VIEW (self), NULL);

  if (self->showing_html || self->mime == NULL)
    return NULL;
  buffer = gtk_text_view_get_buffer (self->plain_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

gboolean
heron_message_view_get_showing_html (HeronMessageView *self)
{
  g_return_val_if_fail (HERON_IS_MESSAGE_VIEW (self), FALSE);

  return self->showing_html;
}

gboolean
heron_message_view_get_loaded (HeronMessageView *self)
{
  g_return_val_if_fail (HERON_IS_MESSAGE_VIEW (self), FALSE);

  return self->loaded;
}

gboolean
heron_message_view_get_remote_blocked (HeronMessageView *self)
{
  g_return_val_if_fail (HERON_IS_MESSAGE_VIEW (self), TRUE);

  return !self->showing_html || self->filter_installed;
}

gboolean
heron_message_view_get_has_remote_content (HeronMessageView *self)
{
  g_return_val_if_fail (HERON_IS_MESSAGE_VIEW (self), FALSE);

  return self->has_remote;
}

void
heron_message_view_show_remote_content (HeronMessageView *self)
{
  g_return_if_fail (HERON_IS_MESSAGE_VIEW (self));

  if (self->html == NULL || self->remote_allowed)
    return;
  self->remote_allowed = TRUE;
  heron_message_view_load_body (self);
}

void
heron_message_view_always_show_sender (HeronMessageView *self)
{
  g_auto(GStrv) senders = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) updated = NULL;
  const char *address;

  g_return_if_fail (HERON_IS_MESSAGE_VIEW (self));

  if (self->message == NULL || !settings_has_key (self->settings, HERON_MESSAGE_VIEW_SENDERS_KEY))
    return;
  address = heron_message_get_sender_address (self->message);
  if (address == NULL || *address == '\0')
    return;

  if (!heron_message_view_sender_allowed (self))
    {
      senders = g_settings_get_strv (self->settings, HERON_MESSAGE_VIEW_SENDERS_KEY);
      builder = g_strv_builder_new ();
      g_strv_builder_addv (builder, (const char **) senders);
      g_strv_builder_add (builder, address);
      updated = g_strv_builder_end (builder);
      g_settings_set_strv (self->settings, HERON_MESSAGE_VIEW_SENDERS_KEY, (const char * const *) updated);
    }
  heron_message_view_show_remote_content (self);
}

/* Links */

static void
on_mouse_target_changed (WebKitWebView       *web_view,
                         WebKitHitTestResult *hit,
                         guint                modifiers,
                         HeronMessageView    *self)
{
  if (webkit_hit_test_result_context_is_link (hit))
    {
      g_free (self->hover_uri);
      g_free (self->hover_label);
      self->hover_uri = g_strdup (webkit_hit_test_result_get_link_uri (hit));
      self->hover_label = g_strdup (webkit_hit_test_result_get_link_label (hit));
      gtk_label_set_text (self->link_label, self->hover_uri);
      gtk_widget_set_visible (GTK_WIDGET (self->link_label), TRUE);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->link_label), FALSE);
}

/* The host a link's text names when it looks like an address ("www.bank.example",
 * "https://bank.example/login"), or NULL when it is ordinary words. */
static char *
text_names_host (const char *text)
{
  g_autofree char *stripped = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *host;

  if (text == NULL)
    return NULL;
  stripped = g_strstrip (g_strdup (text));
  if (*stripped == '\0' || strchr (stripped, ' ') != NULL || strchr (stripped, '.') == NULL)
    return NULL;

  uri = g_uri_parse (stripped, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL)
    {
      g_autofree char *with_scheme = g_strconcat ("https://", stripped, NULL);

      g_clear_pointer (&uri, g_uri_unref);
      uri = g_uri_parse (with_scheme, G_URI_FLAGS_NONE, NULL);
    }
  if (uri == NULL || (host = g_uri_get_host (uri)) == NULL || strchr (host, '.') == NULL)
    return NULL;
  return g_ascii_strdown (host, -1);
}

static void
heron_message_view_open_uri (HeronMessageView *self,
                             const char       *uri)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, uri, GDK_CURRENT_TIME);
}

static void
on_open_link_response (AdwMessageDialog *dialog,
                       const char       *response,
                       HeronMessageView *self)
{
  if (g_strcmp0 (response, "open") == 0)
    heron_message_view_open_uri (self, g_object_get_data (G_OBJECT (dialog), "heron-uri"));
}

typedef enum {
  LINK_WEB,      /* http, https: the browser, after the target was shown */
  LINK_MAIL,     /* mailto: the application's composer */
  LINK_OTHER,    /* any other handler (smb:, sftp:, tel:, file:...): only when confirmed (WebKit
                  * already refuses to follow file: from the page) */
  LINK_REFUSED,  /* never leaves the view (scripts, inline data, the message's own parts) */
} LinkKind;

static LinkKind
link_kind (const char *uri)
{
  static const char * const refused[] = { "javascript", "vbscript", "data", "about", "blob",
                                          "cid", "filesystem", NULL };
  g_autofree char *scheme = uri != NULL ? g_uri_parse_scheme (uri) : NULL;

  if (scheme == NULL)
    return LINK_REFUSED;
  if (g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "https") == 0)
    return LINK_WEB;
  if (g_ascii_strcasecmp (scheme, "mailto") == 0)
    return LINK_MAIL;
  for (guint i = 0; refused[i] != NULL; i++)
    if (g_ascii_strcasecmp (scheme, refused[i]) == 0)
      return LINK_REFUSED;
  return LINK_OTHER;
}

static void
heron_message_view_confirm_link (HeronMessageView *self,
                                 const char       *uri,
                                 LinkKind          kind,
                                 const char       *text_host)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  gboolean warn = kind == LINK_OTHER || text_host != NULL;
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Open Link?"), NULL);
  if (kind == LINK_OTHER)
    adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                    _("This link is not a web page: it opens a file or another application on this computer:\n\n%s"),
                                    uri);
  else if (text_host != NULL)
    adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                    _("The text of this link names “%s”, but it leads to:\n\n%s"),
                                    text_host, uri);
  else
    adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog), _("This link leads to:\n\n%s"), uri);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "open", _("_Open Link"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "open",
                                              warn ? ADW_RESPONSE_DESTRUCTIVE : ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "heron-uri", g_strdup (uri), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_open_link_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
heron_message_view_activate_link (HeronMessageView *self,
                                  const char       *uri)
{
  g_autofree char *text_host = NULL;
  g_autoptr(GUri) target = NULL;
  g_autofree char *target_host = NULL;
  LinkKind kind = link_kind (uri);

  switch (kind)
    {
    case LINK_REFUSED:
      {
        g_autofree char *text = g_strdup_printf (_("This link cannot be opened: %s"), uri);

        heron_message_view_toast (self, text);
      }
      return;

    case LINK_MAIL:
      /* A new message in the application's own composer (the window's win.compose-to). */
      if (!gtk_widget_activate_action (GTK_WIDGET (self), "win.compose-to", "s", uri))
        heron_message_view_toast (self, _("There is no account to write this message from"));
      return;

    case LINK_OTHER:
      heron_message_view_confirm_link (self, uri, kind, NULL);
      return;

    case LINK_WEB:
    default:
      break;
    }

  /* A web link that was hovered showed its target; ask only when its text names another
   * place. */
  if (g_strcmp0 (uri, self->hover_uri) == 0)
    {
      text_host = text_names_host (self->hover_label);
      target = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
      if (target != NULL && g_uri_get_host (target) != NULL)
        target_host = g_ascii_strdown (g_uri_get_host (target), -1);
      if (text_host == NULL || g_strcmp0 (text_host, target_host) == 0)
        {
          heron_message_view_open_uri (self, uri);
          return;
        }
      heron_message_view_confirm_link (self, uri, kind, text_host);
      return;
    }
  heron_message_view_confirm_link (self, uri, kind, NULL);
}

static gboolean
on_decide_policy (WebKitWebView            *web_view,
                  WebKitPolicyDecision     *decision,
                  WebKitPolicyDecisionType  type,
                  HeronMessageView         *self)
{
  WebKitNavigationAction *action;
  WebKitURIRequest *request;
  const char *uri;

  if (type == WEBKIT_POLICY_DECISION_TYPE_RESPONSE)
    return FALSE;

  action = webkit_navigation_policy_decision_get_navigation_action (WEBKIT_NAVIGATION_POLICY_DECISION (decision));
  request = webkit_navigation_action_get_request (action);
  uri = webkit_uri_request_get_uri (request);

  /* The message itself (load_html) and jumps inside it. */
  if (type == WEBKIT_POLICY_DECISION_TYPE_NAVIGATION_ACTION &&
      (g_strcmp0 (uri, "about:blank") == 0 || g_str_has_prefix (uri, "about:blank#")) &&
      !webkit_navigation_action_is_user_gesture (action))
    {
      webkit_policy_decision_use (decision);
      return TRUE;
    }
  if (g_str_has_prefix (uri, "about:blank#"))
    {
      webkit_policy_decision_use (decision);
      return TRUE;
    }

  webkit_policy_decision_ignore (decision);
  if (webkit_navigation_action_get_navigation_type (action) == WEBKIT_NAVIGATION_TYPE_LINK_CLICKED ||
      webkit_navigation_action_is_user_gesture (action))
    heron_message_view_activate_link (self, uri);
  return TRUE;
}

static gboolean
on_context_menu (WebKitWebView       *web_view,
                 WebKitContextMenu   *menu,
                 WebKitHitTestResult *hit,
                 HeronMessageView    *self)
{
  /* Keep copy and select all; drop reload, back, inspect and "open in new window". */
  GList *items = g_list_copy (webkit_context_menu_get_items (menu));

  for (GList *l = items; l != NULL; l = l->next)
    {
      WebKitContextMenuItem *item = l->data;

      switch (webkit_context_menu_item_get_stock_action (item))
        {
        case WEBKIT_CONTEXT_MENU_ACTION_COPY:
        case WEBKIT_CONTEXT_MENU_ACTION_COPY_LINK_TO_CLIPBOARD:
        case WEBKIT_CONTEXT_MENU_ACTION_COPY_IMAGE_TO_CLIPBOARD:
        case WEBKIT_CONTEXT_MENU_ACTION_SELECT_ALL:
          break;
        default:
          webkit_context_menu_remove (menu, item);
          break;
        }
    }
  g_list_free (items);
  return webkit_context_menu_get_n_items (menu) == 0;
}

/* Attachments */

static HeronMimeAttachment *
heron_message_view_get_attachment (HeronMessageView *self,
                                   GVariant         *parameter)
{
  guint index = g_variant_get_uint32 (parameter);

  if (self->attachments == NULL || index >= self->attachments->len)
    return NULL;
  return g_ptr_array_index (self->attachments, index);
}

static void
heron_message_view_toast (HeronMessageView *self,
                          const char       *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

static void
on_attachment_launched (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(HeronMessageView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Cannot open the attachment: %s"), error->message);

      heron_message_view_toast (self, text);
    }
}

static void
on_attachment_saved_for_open (GObject      *source,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  g_autoptr(HeronMessageView) self = user_data;
  g_autoptr(GError) error = NULL;
  GFile *file;
  g_autofree char *uri = NULL;
  GtkRoot *root;
  g_autoptr(GAppLaunchContext) context = NULL;

  if (!heron_mime_attachment_save_finish (HERON_MIME_ATTACHMENT (source), result, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Cannot open the attachment: %s"), error->message);

      heron_message_view_toast (self, text);
      return;
    }

  file = g_object_get_data (G_OBJECT (source), "heron-open-file");
  uri = g_file_get_uri (file);
  root = gtk_widget_get_root (GTK_WIDGET (self));
  if (root != NULL)
    context = G_APP_LAUNCH_CONTEXT (gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (root))));
  g_app_info_launch_default_for_uri_async (uri, context, NULL, on_attachment_launched, g_object_ref (self));
}

static void
heron_message_view_open_attachment (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter)
{
  HeronMessageView *self = HERON_MESSAGE_VIEW (widget);
  HeronMimeAttachment *attachment = heron_message_view_get_attachment (self, parameter);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;

  if (attachment == NULL)
    return;

  /* A private directory per opened attachment, so that names never clash. */
  dir = g_dir_make_tmp ("heron-attachment-XXXXXX", &error);
  if (dir == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Cannot open the attachment: %s"), error->message);

      heron_message_view_toast (self, text);
      return;
    }
  path = g_build_filename (dir, heron_mime_attachment_get_filename (attachment), NULL);
  file = g_file_new_for_path (path);
  g_object_set_data_full (G_OBJECT (attachment), "heron-open-file", g_object_ref (file), g_object_unref);
  heron_mime_attachment_save_async (attachment, file, G_PRIORITY_DEFAULT, NULL,
                                    on_attachment_saved_for_open, g_object_ref (self));
}

static void
on_attachment_saved (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(HeronMessageView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (!heron_mime_attachment_save_finish (HERON_MIME_ATTACHMENT (source), result, &error))
    text = g_strdup_printf (_("Cannot save the attachment: %s"), error->message);
  else
    text = g_strdup_printf (_("Saved “%s”"), heron_mime_attachment_get_filename (HERON_MIME_ATTACHMENT (source)));
  heron_message_view_toast (self, text);
}

static void
on_save_chooser_response (GtkNativeDialog  *chooser,
                          int               response,
                          HeronMessageView *self)
{
  HeronMimeAttachment *attachment = g_object_get_data (G_OBJECT (chooser), "heron-attachment");

  if (response == GTK_RESPONSE_ACCEPT && attachment != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      heron_mime_attachment_save_async (attachment, file, G_PRIORITY_DEFAULT, NULL,
                                        on_attachment_saved, g_object_ref (self));
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

static void
heron_message_view_save_attachment (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter)
{
  HeronMessageView *self = HERON_MESSAGE_VIEW (widget);
  HeronMimeAttachment *attachment = heron_message_view_get_attachment (self, parameter);
  GtkFileChooserNative *chooser;
  GtkRoot *root;

  if (attachment == NULL)
    return;

  root = gtk_widget_get_root (widget);
  chooser = gtk_file_chooser_native_new (_("Save Attachment"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser),
                                     heron_mime_attachment_get_filename (attachment));
  g_object_set_data_full (G_OBJECT (chooser), "heron-attachment", g_object_ref (attachment), g_object_unref);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_save_chooser_response), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
heron_message_view_show_remote_action (GtkWidget  *widget,
                                       const char *action_name,
                                       GVariant   *parameter)
{
  heron_message_view_show_remote_content (HERON_MESSAGE_VIEW (widget));
}

static void
heron_message_view_always_sender_action (GtkWidget  *widget,
                                         const char *action_name,
                                         GVariant   *parameter)
{
  heron_message_view_always_show_sender (HERON_MESSAGE_VIEW (widget));
}

/* The web view is made when the first message is opened, not with the window: making WebKit's
 * web context and view (and paging in about 10 MB of its code) would otherwise be on the path
 * from the start to the first message rows, and in the memory of a window that opens no
 * message. The filter is compiled from then on, while the message loads. */
static void
heron_message_view_ensure_web_view (HeronMessageView *self)
{
  WebKitSettings *settings;

  if (self->web_view != NULL)
    return;

  ensure_shared_web_parts ();

  settings = webkit_settings_new ();
  /* Scripts of the page never run; the application's own calls (tests) still can. */
  webkit_settings_set_enable_javascript_markup (settings, FALSE);
  webkit_settings_set_javascript_can_open_windows_automatically (settings, FALSE);
  webkit_settings_set_javascript_can_access_clipboard (settings, FALSE);
  webkit_settings_set_enable_html5_local_storage (settings, FALSE);
  webkit_settings_set_enable_html5_database (settings, FALSE);
  webkit_settings_set_enable_page_cache (settings, FALSE);
  webkit_settings_set_enable_developer_extras (settings, FALSE);
  webkit_settings_set_enable_webgl (settings, FALSE);
  webkit_settings_set_enable_webaudio (settings, FALSE);
  webkit_settings_set_enable_back_forward_navigation_gestures (settings, FALSE);
  webkit_settings_set_auto_load_images (settings, TRUE);

  self->content_manager = webkit_user_content_manager_new ();
  self->web_view = g_object_new (WEBKIT_TYPE_WEB_VIEW,
                                 "web-context", shared_context,
                                 "network-session", shared_session,
                                 "user-content-manager", self->content_manager,
                                 "settings", settings,
                                 "vexpand", TRUE,
                                 "hexpand", TRUE,
                                 NULL);
  g_object_unref (settings);
  g_object_set_data (G_OBJECT (self->web_view), "heron-message-view", self);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->web_view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Message text"), -1);
  g_signal_connect (self->web_view, "decide-policy", G_CALLBACK (on_decide_policy), self);
  g_signal_connect (self->web_view, "mouse-target-changed", G_CALLBACK (on_mouse_target_changed), self);
  g_signal_connect (self->web_view, "load-changed", G_CALLBACK (on_load_changed), self);
  g_signal_connect (self->web_view, "context-menu", G_CALLBACK (on_context_menu), self);
  gtk_overlay_set_child (self->html_overlay, GTK_WIDGET (self->web_view));

  /* Start the filter (and with the first page, the web process) now: the first load costs. */
  if (block_filter == NULL && !filter_failed && !filter_pending)
    {
      heron_message_view_ensure_filter (self);
      self->waiting_for_filter = FALSE;
    }
}

/* Life */

static void
heron_message_view_dispose (GObject *object)
{
  HeronMessageView *self = HERON_MESSAGE_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->message);
  g_clear_object (&self->mime);
  g_clear_object (&self->settings);
  g_clear_object (&self->content_manager);
  g_clear_pointer (&self->attachments, g_ptr_array_unref);
  g_clear_pointer (&self->html, g_free);
  g_clear_pointer (&self->hover_uri, g_free);
  g_clear_pointer (&self->hover_label, g_free);
  /* WebKit can still deliver load-changed or decide-policy for a page in flight. */
  if (self->web_view != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->web_view, self);
      webkit_web_view_stop_loading (self->web_view);
      g_object_set_data (G_OBJECT (self->web_view), "heron-message-view", NULL);
    }
  self->web_view = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (object), HERON_TYPE_MESSAGE_VIEW);

  G_OBJECT_CLASS (heron_message_view_parent_class)->dispose (object);
}

static void
heron_message_view_class_init (HeronMessageViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = heron_message_view_dispose;

  signals[SIGNAL_LOADED] =
    g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_LOAD_FAILED] =
    g_signal_new ("load-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);

  gtk_widget_class_install_action (widget_class, "reader.show-remote-content", NULL,
                                   heron_message_view_show_remote_action);
  gtk_widget_class_install_action (widget_class, "reader.always-show-sender", NULL,
                                   heron_message_view_always_sender_action);
  gtk_widget_class_install_action (widget_class, "reader.open-attachment", "u",
                                   heron_message_view_open_attachment);
  gtk_widget_class_install_action (widget_class, "reader.save-attachment", "u",
                                   heron_message_view_save_attachment);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/heronmail/Heron/widgets/heron-message-view.ui");
  gtk_widget_class_bind_template_child (widget_class, HeronMessageView, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, HeronMessageView, main_stack);
  gtk_widget_class_bind_template_child (widget_class, HeronMessageView, spinner);
  gtk_widget_class_bind_template_child (widget_class, HeronMessageView, error_page);
  gtk_widget_class_bind_template_child (widget_class, HeronMessageView, remote_bar);
  gtk_widget_class_bind_template_child (widget_class, HeronMessageView, always_remote_button);
  gtk_widget_class_bind_template_child (widget_class, HeronMessageView, subject_label);
  gtk_widget_class_bind_template_child (widget_class, HeronMessageView, sender_label);
  gtk_widget_class_bind_template_child (widget_class, HeronMessageView, sender_warning);
  gtk_widget_class_bind_template_child (widget_class, HeronMessageView, date_label);
  gtk_widget_class_bind_template_child (widget_class, HeronMessageView, to_label);
  gtk_widget_class_bind_template_child (widget_class, HeronMessageView, cc_label);
  gtk_widget_class_bind_template_child (widget_class, HeronMessageView, attachments_box);
  gtk_widget_class_bind_template_child (widget_class, HeronMessageView, body_stack);
  gtk_widget_class_bind_template_child (widget_class, HeronMessageView, html_overlay);
  gtk_widget_class_bind_template_child (widget_class, HeronMessageView, link_label);
  gtk_widget_class_bind_template_child (widget_class, HeronMessageView, plain_view);
}

static void
heron_message_view_init (HeronMessageView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
