#!/usr/bin/env bash
# build-deb.sh VERSION TARGET_DIR: the Debian package of pgqadm (Maven's package phase runs it
# in profile "deb", after the shaded jar; launcher/README.md, "Debian package"). Layout:
#   /usr/share/pgqadm/pgqadm, pgqadm.jar   the script and the jar, side by side
#   /usr/bin/pgqadm                        a link to the script (it finds the jar through it)
#   /lib/systemd/system/pgqadm.service, pgqadm@.service
#   /usr/share/man/man1/pgqadm.1.gz        made by help2man from pgqadm --help
#   /usr/share/doc/pgqadm/examples/pgqadm.ini.sample, /etc/pgqadm/ (for the configs)
# Writes TARGET_DIR/pgqadm_<version>_all.deb (a -SNAPSHOT version becomes ~snapshot, which
# sorts before the release).
set -euo pipefail

version=$1
target=$2
here=$(cd "$(dirname "$0")/../.." && pwd)   # the launcher module
debver=${version/-SNAPSHOT/~snapshot}
root=$target/deb/pgqadm_${debver}_all
rm -rf "$target/deb"
mkdir -p "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/pgqadm" "$root/lib/systemd/system" \
    "$root/usr/share/man/man1" "$root/usr/share/doc/pgqadm/examples" "$root/etc/pgqadm"

install -m 644 "$target/pgqadm.jar" "$root/usr/share/pgqadm/pgqadm.jar"
install -m 755 "$here/bin/pgqadm" "$root/usr/share/pgqadm/pgqadm"
ln -s ../share/pgqadm/pgqadm "$root/usr/bin/pgqadm"
install -m 644 "$here/systemd/pgqadm.service" "$here/systemd/pgqadm@.service" "$root/lib/systemd/system/"
install -m 644 "$here/conf/pgqadm.ini.sample" "$root/usr/share/doc/pgqadm/examples/pgqadm.ini.sample"
# the man page from the command line's own definition (picocli's --help), as help2man makes it
help2man --no-info --section=1 --name="PgQ ticker and administration (pgq-java)" \
    --version-string="$version" "$here/bin/pgqadm" | gzip -9n > "$root/usr/share/man/man1/pgqadm.1.gz"

size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<EOC
Package: pgqadm
Version: $debver
Architecture: all
Section: database
Priority: optional
Maintainer: pgq-java <pgq-java@localhost>
Depends: default-jre-headless (>= 2:1.17) | java17-runtime-headless
Installed-Size: $size
Homepage: https://github.com/pgq/pgq
Description: PgQ ticker and administration for pgq-java
 pgqadm ticks and maintains PgQ queues of pgq-java databases (one daemon for
 many databases, like pgqd) and has pgqadm.py's admin commands. Run it with
 systemd: pgqadm.service reads /etc/pgqadm/pgqadm.ini, pgqadm@NAME.service
 /etc/pgqadm/NAME.ini; a sample config is in /usr/share/doc/pgqadm/examples.
EOC
dpkg-deb --root-owner-group --build "$root" "$target/pgqadm_${debver}_all.deb" >/dev/null
echo "[pgqadm] built $target/pgqadm_${debver}_all.deb"
