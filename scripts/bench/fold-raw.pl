#!/usr/bin/perl
# fold-raw.pl - the benchmark peers' fold step: `go tool pprof -raw` output
# on stdin, collapsed stacks ("root;child;leaf VALUE") on stdout, the input
# format of flamegraph.pl.  What stackcollapse-go.pl does, written here
# because no Debian package ships it.
#
#   go tool pprof -raw PROFILE | perl fold-raw.pl [COLUMN]
#
# COLUMN is the sample value column, 0-based (default: the last one, which is
# what `pprof -top` shows).  Sample lines list location ids leaf first; a
# location's lines are innermost first (inlined callees before their caller).
use strict;
use warnings;

my $col = @ARGV ? $ARGV[0] : -1;
my (@samples, %loc, $section, $cur);

while (my $l = <STDIN>) {
	chomp $l;
	if ($l =~ /^Samples:/) { $section = 'samples'; next; }
	if ($l =~ /^Locations/) { $section = 'locations'; next; }
	if ($l =~ /^Mappings/) { $section = 'mappings'; next; }
	next unless defined $section;
	if ($section eq 'samples') {
		next unless $l =~ /^\s*(-?\d+(?:\s+-?\d+)*):\s*(.*?)\s*$/;
		my @v = split ' ', $1;
		push @samples, [ $v[$col], [ split ' ', $2 ] ];
	} elsif ($section eq 'locations') {
		if ($l =~ /^\s*(\d+):\s+(0x[0-9a-f]+)\s*(?:M=\d+\s*)?(.*)$/) {
			$cur = $1;
			my ($addr, $rest) = ($2, $3);
			$loc{$cur} = [];
			push @{ $loc{$cur} }, name_of($rest) if $rest =~ /\S/;
			push @{ $loc{$cur} }, $addr unless @{ $loc{$cur} };
		} elsif (defined $cur && $l =~ /^\s+(\S.*)$/) {
			push @{ $loc{$cur} }, name_of($1);
		}
	}
}

sub name_of {
	my ($s) = @_;
	$s =~ s/\s+s=\d+\s*$//;
	$s =~ s/\s+\S+:\d+$//;       # file:line
	$s =~ s/;/:/g;
	return $s;
}

my %sum;
for my $s (@samples) {
	my ($v, $ids) = @$s;
	next unless $v;
	my @frames;
	for my $id (reverse @$ids) {
		push @frames, reverse @{ $loc{$id} || ["?"] };
	}
	$sum{ join(';', @frames) } += $v;
}
print "$_ $sum{$_}\n" for sort keys %sum;
