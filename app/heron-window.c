/* heron-window.c: the main window.
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "heron-window.h"

struct _HeronWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template children */
  AdwStatusPage        *empty_page;
  GtkMenuButton        *primary_menu_button;
};

G_DEFINE_FINAL_TYPE (HeronWindow, heron_window, ADW_TYPE_APPLICATION_WINDOW)

HeronWindow *
heron_window_new (HeronApplication *application)
{
  g_return_val_if_fail (HERON_IS_APPLICATION (application), NULL);

  return g_object_new (HERON_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

static GSettings *
heron_window_get_settings (HeronWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (app == NULL)
    return NULL;
  return heron_application_get_settings (HERON_APPLICATION (app));
}

/* The window's size is taken from the settings when it is created and written back when it closes,
 * as GNOME applications do (not on every resize). */
static void
heron_window_restore_state (HeronWindow *self)
{
  GSettings *settings = heron_window_get_settings (self);

  if (settings == NULL)
    return;

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (settings, "window-width"),
                               g_settings_get_int (settings, "window-height"));
  if (g_settings_get_boolean (settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static gboolean
heron_window_close_request (GtkWindow *window)
{
  HeronWindow *self = HERON_WINDOW (window);
  GSettings *settings = heron_window_get_settings (self);

  if (settings != NULL)
    {
      int width, height;

      gtk_window_get_default_size (window, &width, &height);
      g_settings_delay (settings);
      g_settings_set_boolean (settings, "window-maximized", gtk_window_is_maximized (window));
      if (!gtk_window_is_maximized (window))
        {
          g_settings_set_int (settings, "window-width", width);
          g_settings_set_int (settings, "window-height", height);
        }
      g_settings_apply (settings);
    }

  return GTK_WINDOW_CLASS (heron_window_parent_class)->close_request (window);
}

static void
heron_window_constructed (GObject *object)
{
  HeronWindow *self = HERON_WINDOW (object);

  G_OBJECT_CLASS (heron_window_parent_class)->constructed (object);

  heron_window_restore_state (self);
}

static void
heron_window_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), HERON_TYPE_WINDOW);

  G_OBJECT_CLASS (heron_window_parent_class)->dispose (object);
}

static void
heron_window_class_init (HeronWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = heron_window_constructed;
  object_class->dispose = heron_window_dispose;
  window_class->close_request = heron_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               HERON_RESOURCE_PREFIX "/app/heron-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HeronWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, HeronWindow, primary_menu_button);
}

static void
heron_window_init (HeronWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
