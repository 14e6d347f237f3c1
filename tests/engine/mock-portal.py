#!/usr/bin/python3
# mock-portal.py — a desktop portal with ScreenCast only, for test-screen-cast
#
# Copyright 2026 The Mentorcall authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Owns org.freedesktop.portal.Desktop on the (private) session bus the test
# gives it. What the user "does" in the dialog comes from the control
# interface org.mentorcall.MockPortal: SetAnswer("grant" | "cancel"),
# CloseSessions() (the desktop's "stop sharing"), LastOptions() (what the
# app asked for in SelectSources: the restore token, the cursor mode),
# SetRemote(socket, node, width, height) (grant a real stream: the PipeWire
# daemon at that socket and a node on it, instead of a socket pair and node 42).

import os
import socket
import sys

import dbus
import dbus.service
import dbus.lowlevel
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

PATH = '/org/freedesktop/portal/desktop'
SCREEN_CAST = 'org.freedesktop.portal.ScreenCast'
CONTROL = 'org.mentorcall.MockPortal'


class Portal(dbus.service.Object):
    def __init__(self, bus):
        super().__init__(bus, PATH)
        self.bus = bus
        self.answer = 'grant'
        self.sessions = []
        self.last_options = {}
        self.sockets = []
        self.grants = 0
        self.remote = None
        self.stream = (42, 1280, 720)

    # Like xdg-desktop-portal, signals go to the caller only (libportal
    # subscribes without a match rule).
    def respond(self, sender, handle, code, results):
        def emit():
            message = dbus.lowlevel.SignalMessage(handle, 'org.freedesktop.portal.Request',
                                                  'Response')
            message.set_destination(sender)
            message.append(dbus.UInt32(code), dbus.Dictionary(results, signature='sv'),
                           signature='ua{sv}')
            self.bus.send_message(message)
            return False
        GLib.timeout_add(20, emit)

    @staticmethod
    def request_path(sender, options):
        return '%s/request/%s/%s' % (PATH, sender[1:].replace('.', '_'),
                                      options.get('handle_token', 't'))

    @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature='ss', out_signature='v')
    def Get(self, interface, name):
        return self.GetAll(interface)[name]

    @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature='s', out_signature='a{sv}')
    def GetAll(self, interface):
        if interface != SCREEN_CAST:
            return {}
        return {'version': dbus.UInt32(4, variant_level=1),
                'AvailableSourceTypes': dbus.UInt32(3, variant_level=1),
                'AvailableCursorModes': dbus.UInt32(7, variant_level=1)}

    @dbus.service.method(SCREEN_CAST, in_signature='a{sv}', out_signature='o',
                         sender_keyword='sender')
    def CreateSession(self, options, sender=None):
        handle = self.request_path(sender, options)
        session = '%s/session/%s/%s' % (PATH, sender[1:].replace('.', '_'),
                                        options['session_handle_token'])
        self.sessions.append((sender, session))
        self.respond(sender, handle, 0, {'session_handle': dbus.String(session, variant_level=1)})
        return handle

    @dbus.service.method(SCREEN_CAST, in_signature='oa{sv}', out_signature='o',
                         sender_keyword='sender')
    def SelectSources(self, session, options, sender=None):
        self.last_options = dict(options)
        handle = self.request_path(sender, options)
        self.respond(sender, handle, 0, {})
        return handle

    @dbus.service.method(SCREEN_CAST, in_signature='osa{sv}', out_signature='o',
                         sender_keyword='sender')
    def Start(self, session, parent, options, sender=None):
        handle = self.request_path(sender, options)
        if self.answer == 'cancel':
            self.respond(sender, handle, 1, {})
        else:
            self.grants += 1
            node, width, height = self.stream
            stream = dbus.Struct((dbus.UInt32(node), {'size': dbus.Struct((width, height), signature='ii',
                                                                          variant_level=1),
                                                    'source_type': dbus.UInt32(1, variant_level=1)}),
                                 signature='ua{sv}')
            self.respond(sender, handle, 0, {
                'streams': dbus.Array([stream], signature='(ua{sv})', variant_level=1),
                'persist_mode': dbus.UInt32(2, variant_level=1),
                'restore_token': dbus.String('token-%d' % self.grants, variant_level=1)})
        return handle

    @dbus.service.method(SCREEN_CAST, in_signature='oa{sv}', out_signature='h')
    def OpenPipeWireRemote(self, session, options):
        if self.remote is not None:
            # A connection to the test's PipeWire daemon, as the portal's.
            remote = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            remote.connect(self.remote)
            fd = dbus.types.UnixFd(remote.fileno())
            remote.close()
            return fd
        # A socket that is not PipeWire's: enough to hand over a descriptor.
        ours, theirs = socket.socketpair()
        self.sockets.append(ours)
        fd = dbus.types.UnixFd(theirs.fileno())
        theirs.close()
        return fd

    @dbus.service.method(CONTROL, in_signature='s', out_signature='')
    def SetAnswer(self, answer):
        self.answer = answer

    @dbus.service.method(CONTROL, in_signature='suii', out_signature='')
    def SetRemote(self, path, node, width, height):
        self.remote = str(path)
        self.stream = (int(node), int(width), int(height))

    @dbus.service.method(CONTROL, in_signature='', out_signature='a{sv}')
    def LastOptions(self):
        return self.last_options

    @dbus.service.method(CONTROL, in_signature='', out_signature='')
    def CloseSessions(self):
        for sender, session in self.sessions:
            message = dbus.lowlevel.SignalMessage(session, 'org.freedesktop.portal.Session',
                                                  'Closed')
            message.set_destination(sender)
            message.append(dbus.Dictionary({}, signature='sv'), signature='a{sv}')
            self.bus.send_message(message)
        self.sessions = []


def main():
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    portal = Portal(bus)
    name = dbus.service.BusName('org.freedesktop.portal.Desktop', bus)
    print('ready', flush=True)
    GLib.MainLoop().run()


if __name__ == '__main__':
    main()
