#!/usr/bin/perl
# A testbed host's syslog: receives datagrams on a unix socket and appends each message as a line
# to a file. The machine runs no syslog daemon and has no /dev/log, and `lxd --syslog` refuses to
# start without one ("Unix syslog delivery error"). Go's log/syslog also tries /var/run/syslog,
# where each host's boot script bind-mounts this socket. Usage: syslog-sink.pl SOCKET LOGFILE
use strict;
use warnings;
use IO::Handle;
use IO::Socket::UNIX;
use Socket qw(SOCK_DGRAM);

my ($path, $logfile) = @ARGV;
die "usage: $0 SOCKET LOGFILE\n" unless defined $logfile;
unlink $path;
my $socket = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Local => $path) or die "cannot listen on $path: $!\n";
chmod 0666, $path;
open(my $out, '>>', $logfile) or die "cannot append to $logfile: $!\n";
$out->autoflush(1);
$SIG{TERM} = sub { unlink $path; exit 0 };
while (1) {
    my $message;
    next unless defined $socket->recv($message, 65536);
    $message =~ s/\n+\z//;
    print $out "$message\n";
}
