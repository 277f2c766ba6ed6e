"""cobra/pflag-style flag parsing, driven by the recorded ``--help`` texts.

The flag set of each command is read from the help text real kops printed
(``help/<version>/<command>.txt``), so the stand-in accepts exactly the flags
of the imitated version, with their types and optional-value defaults.
"""

import pkgutil
import re

from kops_standin.errors import KopsError

_FLAG_LINE = re.compile(
    r"^\s+(?:-(?P<short>\w), )?--(?P<name>[\w-]+)"
    r"(?: (?P<type>[A-Za-z0-9]+)(?:\[=(?P<noopt>[^\]]*)\])?)?\s{2,}(?P<desc>.*)$"
)
_DEFAULT = re.compile(r'\(default (?:"(?P<q>[^"]*)"|(?P<v>[^)]*))\)\s*$')


class Flag:
    def __init__(self, name, short=None, type_=None, noopt=None, default=None, deprecated=None):
        self.name = name
        self.short = short
        self.type = type_ or "bool"
        # pflag NoOptDefVal: bool flags take "true"; `--admin duration[=18h0m0s]` takes 18h0m0s.
        self.noopt = "true" if self.type == "bool" else noopt
        self.default = default
        self.deprecated = deprecated

    @property
    def is_list(self):
        return self.type in ("strings", "stringSlice", "stringArray")


def load_help(version, key):
    try:
        data = pkgutil.get_data("kops_standin", "help/%s/%s.txt" % (version, key))
    except OSError:  # no recording of this help text
        return None
    return data.decode() if data is not None else None


def flags_from_help(text):
    flags = {}
    section = None
    for line in text.splitlines():
        if line in ("Flags:", "Global Flags:"):
            section = line
            continue
        if section is None:
            continue
        if not line.strip():
            section = None
            continue
        m = _FLAG_LINE.match(line)
        if not m:
            continue
        default = None
        d = _DEFAULT.search(m.group("desc"))
        if d:
            default = d.group("q") if d.group("q") is not None else d.group("v")
        flag = Flag(m.group("name"), m.group("short"), m.group("type"), m.group("noopt"), default)
        flags[flag.name] = flag
    return flags


def usage_of(help_text):
    """cobra's UsageString(): the help text from ``Usage:`` on."""
    idx = help_text.find("Usage:")
    return help_text[idx:] if idx >= 0 else help_text


class Parsed:
    def __init__(self, flagset):
        self.flagset = flagset
        self.values = {}
        self.args = []
        self.deprecations = []

    def given(self, name):
        return name in self.values

    def get(self, name, default=None):
        if name in self.values:
            return self.values[name]
        flag = self.flagset.get(name)
        if flag is not None and flag.default is not None:
            if flag.type == "bool":
                return flag.default == "true"
            if flag.is_list:
                return [v for v in flag.default.strip("[]").split(",") if v]
            return flag.default
        return default

    def bool(self, name):
        value = self.get(name, False)
        return value is True or value == "true"


def _flag_name(flag):
    """pflag's name in "invalid argument" errors: "-o, --output" when the flag has a shorthand."""
    return "-%s, --%s" % (flag.short, flag.name) if flag.short else "--%s" % flag.name


_DURATION_PART = re.compile(r"([0-9]*(?:\.[0-9]*)?)([^0-9.]*)")
_UNITS = ("ns", "us", "\u00b5s", "\u03bcs", "ms", "s", "m", "h")


def _duration_error(value):
    """Go time.ParseDuration's error text for ``value``, or None when it parses."""
    quoted = '"%s"' % value
    text = value[1:] if value[:1] in "+-" else value
    if text == "0":
        return None
    if not text:
        return "time: invalid duration " + quoted
    pos = 0
    while pos < len(text):
        m = _DURATION_PART.match(text, pos)
        number, unit = m.group(1), m.group(2)
        if number in ("", "."):
            return "time: invalid duration " + quoted
        if not unit:
            return "time: missing unit in duration " + quoted
        if unit not in _UNITS:
            return 'time: unknown unit "%s" in duration %s' % (unit, quoted)
        pos = m.end()
    return None


def _set(parsed, flag, value, usage):
    if flag.deprecated:
        parsed.deprecations.append("Flag --%s has been deprecated, %s" % (flag.name, flag.deprecated))
    if flag.type == "bool":
        if value not in ("true", "false", "1", "0", "t", "f", "TRUE", "FALSE", "True", "False"):
            raise KopsError('invalid argument "%s" for "%s" flag: strconv.ParseBool: parsing "%s": invalid syntax'
                            % (value, _flag_name(flag), value), usage)
        parsed.values[flag.name] = value in ("true", "1", "t", "TRUE", "True")
    elif flag.is_list:
        parsed.values.setdefault(flag.name, [])
        parsed.values[flag.name].extend(v for v in value.split(",") if v != "")
    elif flag.type == "duration":
        err = _duration_error(value)
        if err:
            raise KopsError('invalid argument "%s" for "%s" flag: %s' % (value, _flag_name(flag), err), usage)
        parsed.values[flag.name] = value
    elif flag.type == "target":
        # upup/pkg/fi/cloudup/target.go Target.Set (kops 1.36's --target): compared lower-cased, kept as given.
        if value.lower() not in ("direct", "dryrun", "terraform"):
            raise KopsError('invalid argument "%s" for "%s" flag: invalid target: "%s"'
                            % (value, _flag_name(flag), value), usage)
        parsed.values[flag.name] = value
    elif flag.type in ("int", "int32", "int64"):
        try:
            int(value)
        except ValueError:
            raise KopsError('invalid argument "%s" for "%s" flag: strconv.ParseInt: parsing "%s": invalid syntax'
                            % (value, _flag_name(flag), value), usage)
        parsed.values[flag.name] = int(value)
    else:
        parsed.values[flag.name] = value


def parse(argv, flagset, usage):
    """Parse argv like pflag (interspersed positionals, ``--`` terminator)."""
    parsed = Parsed(flagset)
    shorts = {f.short: f for f in flagset.values() if f.short}
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg == "--":
            parsed.args.extend(argv[i:])
            break
        if arg.startswith("--") and len(arg) > 2:
            name, eq, value = arg[2:].partition("=")
            flag = flagset.get(name)
            if flag is None:
                raise KopsError("unknown flag: --%s" % name, usage)
            if eq:
                _set(parsed, flag, value, usage)
            elif flag.noopt is not None:
                _set(parsed, flag, flag.noopt, usage)
            elif i < len(argv):
                _set(parsed, flag, argv[i], usage)
                i += 1
            else:
                raise KopsError("flag needs an argument: --%s" % name, usage)
        elif arg.startswith("-") and len(arg) > 1:
            rest = arg[1:]
            while rest:
                c, rest = rest[0], rest[1:]
                flag = shorts.get(c)
                if flag is None:
                    raise KopsError("unknown shorthand flag: '%s' in -%s" % (c, arg[1:]), usage)
                if rest.startswith("="):
                    _set(parsed, flag, rest[1:], usage)
                    rest = ""
                elif flag.noopt is not None:
                    _set(parsed, flag, flag.noopt, usage)
                elif rest:
                    _set(parsed, flag, rest, usage)
                    rest = ""
                elif i < len(argv):
                    _set(parsed, flag, argv[i], usage)
                    i += 1
                else:
                    raise KopsError("flag needs an argument: '%s' in -%s" % (c, c), usage)
        else:
            parsed.args.append(arg)
    return parsed
