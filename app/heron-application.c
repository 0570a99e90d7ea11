/* heron-application.c: the process, its settings and its windows.
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "heron-application-private.h"
#include "heron-window.h"

struct _HeronApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
};

G_DEFINE_FINAL_TYPE (HeronApplication, heron_application, ADW_TYPE_APPLICATION)

HeronApplication *
heron_application_new (void)
{
  return g_object_new (HERON_TYPE_APPLICATION,
                       "application-id", HERON_APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", HERON_RESOURCE_PREFIX,
                       NULL);
}

/* Returns the application's settings, or NULL when the schema is not installed (an uninstalled
 * build run without GSETTINGS_SCHEMA_DIR): the window then simply does not remember its size. */
GSettings *
heron_application_get_settings (HeronApplication *self)
{
  g_return_val_if_fail (HERON_IS_APPLICATION (self), NULL);

  return self->settings;
}

static void
heron_application_startup (GApplication *app)
{
  HeronApplication *self = HERON_APPLICATION (app);
  GSettingsSchemaSource *source;
  g_autoptr(GSettingsSchema) schema = NULL;

  G_APPLICATION_CLASS (heron_application_parent_class)->startup (app);

  source = g_settings_schema_source_get_default ();
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, HERON_APP_ID, TRUE);
  if (schema != NULL)
    self->settings = g_settings_new_full (schema, NULL, NULL);
  else
    g_warning ("The settings schema %s is not installed; settings will not be kept", HERON_APP_ID);

  _heron_application_install_actions (self);
}

static void
heron_application_activate (GApplication *app)
{
  HeronApplication *self = HERON_APPLICATION (app);
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (window == NULL)
    window = GTK_WINDOW (heron_window_new (self));

  gtk_window_present (window);
}

static void
heron_application_dispose (GObject *object)
{
  HeronApplication *self = HERON_APPLICATION (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (heron_application_parent_class)->dispose (object);
}

static void
heron_application_class_init (HeronApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = heron_application_dispose;
  app_class->startup = heron_application_startup;
  app_class->activate = heron_application_activate;
}

static void
heron_application_init (HeronApplication *self)
{
}
