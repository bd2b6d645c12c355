function __dctc_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __dctc_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __dctc_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __dctc_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __dctc_parse_tokens -S
    set -l unparsed_tokens (__dctc_tokens -pc)
    switch $unparsed_tokens[1]
    case 'dctc'
        __dctc_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'ls'
            __dctc_parse_subcommand -r 1 'v/verbose' 'config=' 'accept-new-host-key' 'insecure' 'l' 'R' 'h' 'json' 'version' 'help'
        case 'find'
            __dctc_parse_subcommand -r 1 'v/verbose' 'config=' 'accept-new-host-key' 'insecure' 'name=' 'type=' 'max-depth=' 'json' 'version' 'h/help'
        case 'stat'
            __dctc_parse_subcommand -r 1 'v/verbose' 'config=' 'accept-new-host-key' 'insecure' 'json' 'version' 'h/help'
        case 'du'
            __dctc_parse_subcommand -r 1 'v/verbose' 'config=' 'accept-new-host-key' 'insecure' 'h' 's' 'version' 'help'
        case 'cat'
            __dctc_parse_subcommand -r 1 'v/verbose' 'config=' 'accept-new-host-key' 'insecure' 'raw' 'version' 'h/help'
        case 'head'
            __dctc_parse_subcommand -r 1 'v/verbose' 'config=' 'accept-new-host-key' 'insecure' 'n/lines=' 'c/bytes=' 'q/quiet' 'raw' 'version' 'h/help'
        case 'tail'
            __dctc_parse_subcommand -r 1 'v/verbose' 'config=' 'accept-new-host-key' 'insecure' 'n/lines=' 'c/bytes=' 'q/quiet' 'raw' 'version' 'h/help'
        case 'cp'
            __dctc_parse_subcommand -r 1 'v/verbose' 'config=' 'accept-new-host-key' 'insecure' 'r/recursive' 'compress=' 'level=' 'decompress' 'zip=' 'n/no-clobber' 'transfers=' 'version' 'h/help'
        case 'mv'
            __dctc_parse_subcommand -r 1 'v/verbose' 'config=' 'accept-new-host-key' 'insecure' 'n/no-clobber' 'transfers=' 'version' 'h/help'
        case 'rm'
            __dctc_parse_subcommand -r 1 'v/verbose' 'config=' 'accept-new-host-key' 'insecure' 'r/recursive' 'f/force' 'version' 'h/help'
        case 'mkdir'
            __dctc_parse_subcommand -r 1 'v/verbose' 'config=' 'accept-new-host-key' 'insecure' 'p/parents' 'version' 'h/help'
        case 'rmdir'
            __dctc_parse_subcommand -r 1 'v/verbose' 'config=' 'accept-new-host-key' 'insecure' 'version' 'h/help'
        case 'hash'
            __dctc_parse_subcommand -r 1 'v/verbose' 'config=' 'accept-new-host-key' 'insecure' 'algo=' 'check=' 'quiet' 'ignore-missing' 'version' 'h/help'
        case 'grep'
            __dctc_parse_subcommand -r 2 'verbose' 'config=' 'accept-new-host-key' 'insecure' 'i/ignore-case' 'v/invert-match' 'c/count' 'l/files-with-matches' 'n/line-number' 'F/fixed-strings' 'E/extended-regexp' 'r/recursive' 'q/quiet' 'version' 'h/help'
        case 'config'
            __dctc_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'list'
                __dctc_parse_subcommand 0 'v/verbose' 'config=' 'accept-new-host-key' 'insecure' 'json' 'version' 'h/help'
            case 'show'
                __dctc_parse_subcommand 1 'v/verbose' 'config=' 'accept-new-host-key' 'insecure' 'version' 'h/help'
            case 'add'
                __dctc_parse_subcommand 1 'v/verbose' 'config=' 'accept-new-host-key' 'insecure' 'type=' 'host=' 'port=' 'user=' 'endpoint=' 'url=' 'region=' 'root=' 'set=+' 'secret-env=+' 'secret-command=+' 'replace' 'version' 'h/help'
            case 'remove'
                __dctc_parse_subcommand 1 'v/verbose' 'config=' 'accept-new-host-key' 'insecure' 'version' 'h/help'
            case 'path'
                __dctc_parse_subcommand 0 'v/verbose' 'config=' 'accept-new-host-key' 'insecure' 'version' 'h/help'
            end
        case 'version'
            __dctc_parse_subcommand 0 'json' 'version' 'h/help'
        case 'completions'
            __dctc_parse_subcommand 1 'version' 'h/help'
        case 'help'
            __dctc_parse_subcommand -r 1 'version'
        end
    end
end

function __dctc_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __dctc_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __dctc_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __dctc_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__dctc_tokens -p)
    if test -z "$(__dctc_tokens -t)"
        set -l index (count (__dctc_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'dctc' -f
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc" version' -l 'version' -d 'Show the version.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_positional "dctc" -eq 1' -fa 'ls' -d 'List directory contents.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_positional "dctc" -eq 1' -fa 'find' -d 'Find files and directories below addresses.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_positional "dctc" -eq 1' -fa 'stat' -d 'Show an entry\'s type, size, modification time, mode, ETag and known hashes.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_positional "dctc" -eq 1' -fa 'du' -d 'Show the total size of files below each directory.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_positional "dctc" -eq 1' -fa 'cat' -d 'Print files of any store to standard output, decompressing .gz and .bz2.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_positional "dctc" -eq 1' -fa 'head' -d 'Print the first lines (or bytes) of files of any store.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_positional "dctc" -eq 1' -fa 'tail' -d 'Print the last lines (or bytes) of files of any store.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_positional "dctc" -eq 1' -fa 'cp' -d 'Copy files and directory trees between any stores.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_positional "dctc" -eq 1' -fa 'mv' -d 'Move or rename files and directories, within or between stores.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_positional "dctc" -eq 1' -fa 'rm' -d 'Remove files, or directory trees with -r.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_positional "dctc" -eq 1' -fa 'mkdir' -d 'Create directories.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_positional "dctc" -eq 1' -fa 'rmdir' -d 'Remove empty directories.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_positional "dctc" -eq 1' -fa 'hash' -d 'Print or check MD5, SHA-1 or SHA-256 hashes of files of any store.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_positional "dctc" -eq 1' -fa 'grep' -d 'Print lines matching a pattern in files of any store, gzip and bzip2 included.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_positional "dctc" -eq 1' -fa 'config' -d 'List, add and remove the accounts of the config file.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_positional "dctc" -eq 1' -fa 'version' -d 'Print dctc\'s version and the versions of the libraries it uses.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_positional "dctc" -eq 1' -fa 'completions' -d 'Print a shell completion script (bash, zsh or fish).'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_positional "dctc" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc ls" v verbose' -l 'verbose' -s 'v' -d 'Say more: each action, and the native cause of errors.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc ls" config' -l 'config' -d 'Config file to use (default: $DCTC_CONFIG, else $XDG_CONFIG_HOME/dctc/config.toml).' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc ls" accept-new-host-key' -l 'accept-new-host-key' -d 'Accept and remember an SSH host key seen for the first time.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc ls" insecure' -l 'insecure' -d 'Do not verify TLS certificates (https, ftps). Unsafe outside tests.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc ls" l' -s 'l' -d 'Long format: mode, size, modification time, name.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc ls" R' -s 'R' -d 'List subdirectories recursively.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc ls" h' -s 'h' -d 'Sizes in K, M, G (with -l).'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc ls" json' -l 'json' -d 'One JSON object per entry and line.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc ls" version' -l 'version' -d 'Show the version.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc ls" help' -l 'help' -d 'Show help information.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc find" v verbose' -l 'verbose' -s 'v' -d 'Say more: each action, and the native cause of errors.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc find" config' -l 'config' -d 'Config file to use (default: $DCTC_CONFIG, else $XDG_CONFIG_HOME/dctc/config.toml).' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc find" accept-new-host-key' -l 'accept-new-host-key' -d 'Accept and remember an SSH host key seen for the first time.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc find" insecure' -l 'insecure' -d 'Do not verify TLS certificates (https, ftps). Unsafe outside tests.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc find" name' -l 'name' -d 'Glob the entry\'s name must match (*, ?, [..]).' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc find" type' -l 'type' -d 'Only files (f) or directories (d).' -rfka 'f d'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc find" max-depth' -l 'max-depth' -d 'Descend at most N levels below the starting points.' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc find" json' -l 'json' -d 'One JSON object per entry and line.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc find" version' -l 'version' -d 'Show the version.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc find" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc stat" v verbose' -l 'verbose' -s 'v' -d 'Say more: each action, and the native cause of errors.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc stat" config' -l 'config' -d 'Config file to use (default: $DCTC_CONFIG, else $XDG_CONFIG_HOME/dctc/config.toml).' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc stat" accept-new-host-key' -l 'accept-new-host-key' -d 'Accept and remember an SSH host key seen for the first time.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc stat" insecure' -l 'insecure' -d 'Do not verify TLS certificates (https, ftps). Unsafe outside tests.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc stat" json' -l 'json' -d 'One JSON object per entry and line.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc stat" version' -l 'version' -d 'Show the version.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc stat" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc du" v verbose' -l 'verbose' -s 'v' -d 'Say more: each action, and the native cause of errors.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc du" config' -l 'config' -d 'Config file to use (default: $DCTC_CONFIG, else $XDG_CONFIG_HOME/dctc/config.toml).' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc du" accept-new-host-key' -l 'accept-new-host-key' -d 'Accept and remember an SSH host key seen for the first time.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc du" insecure' -l 'insecure' -d 'Do not verify TLS certificates (https, ftps). Unsafe outside tests.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc du" h' -s 'h' -d 'Sizes in K, M, G.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc du" s' -s 's' -d 'Only a total for each argument.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc du" version' -l 'version' -d 'Show the version.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc du" help' -l 'help' -d 'Show help information.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc cat" v verbose' -l 'verbose' -s 'v' -d 'Say more: each action, and the native cause of errors.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc cat" config' -l 'config' -d 'Config file to use (default: $DCTC_CONFIG, else $XDG_CONFIG_HOME/dctc/config.toml).' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc cat" accept-new-host-key' -l 'accept-new-host-key' -d 'Accept and remember an SSH host key seen for the first time.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc cat" insecure' -l 'insecure' -d 'Do not verify TLS certificates (https, ftps). Unsafe outside tests.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc cat" raw' -l 'raw' -d 'Print the stored bytes as they are, without decompressing.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc cat" version' -l 'version' -d 'Show the version.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc cat" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc head" v verbose' -l 'verbose' -s 'v' -d 'Say more: each action, and the native cause of errors.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc head" config' -l 'config' -d 'Config file to use (default: $DCTC_CONFIG, else $XDG_CONFIG_HOME/dctc/config.toml).' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc head" accept-new-host-key' -l 'accept-new-host-key' -d 'Accept and remember an SSH host key seen for the first time.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc head" insecure' -l 'insecure' -d 'Do not verify TLS certificates (https, ftps). Unsafe outside tests.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc head" lines n' -s 'n' -l 'lines' -d 'Print the first N lines (default 10).' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc head" bytes c' -s 'c' -l 'bytes' -d 'Print the first N bytes (suffixes K, M, G: powers of 1024; KB, MB, GB: of 1000).' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc head" q quiet' -l 'quiet' -s 'q' -d 'Never print \'==> NAME <==\' headers.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc head" raw' -l 'raw' -d 'Read the stored bytes as they are, without decompressing.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc head" version' -l 'version' -d 'Show the version.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc head" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc tail" v verbose' -l 'verbose' -s 'v' -d 'Say more: each action, and the native cause of errors.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc tail" config' -l 'config' -d 'Config file to use (default: $DCTC_CONFIG, else $XDG_CONFIG_HOME/dctc/config.toml).' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc tail" accept-new-host-key' -l 'accept-new-host-key' -d 'Accept and remember an SSH host key seen for the first time.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc tail" insecure' -l 'insecure' -d 'Do not verify TLS certificates (https, ftps). Unsafe outside tests.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc tail" lines n' -s 'n' -l 'lines' -d 'Print the last N lines (default 10), or from line K on with +K.' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc tail" bytes c' -s 'c' -l 'bytes' -d 'Print the last N bytes, or from byte K on with +K (suffixes K, M, G: powers of 1024; KB, MB, GB: of 1000).' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc tail" q quiet' -l 'quiet' -s 'q' -d 'Never print \'==> NAME <==\' headers.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc tail" raw' -l 'raw' -d 'Read the stored bytes as they are, without decompressing.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc tail" version' -l 'version' -d 'Show the version.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc tail" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc cp" v verbose' -l 'verbose' -s 'v' -d 'Say more: each action, and the native cause of errors.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc cp" config' -l 'config' -d 'Config file to use (default: $DCTC_CONFIG, else $XDG_CONFIG_HOME/dctc/config.toml).' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc cp" accept-new-host-key' -l 'accept-new-host-key' -d 'Accept and remember an SSH host key seen for the first time.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc cp" insecure' -l 'insecure' -d 'Do not verify TLS certificates (https, ftps). Unsafe outside tests.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc cp" r recursive' -l 'recursive' -s 'r' -d 'Copy directories recursively.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc cp" compress' -l 'compress' -d 'Compress on the way (gz or bz2); the suffix is added to each name.' -rfka 'gz bz2'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc cp" level' -l 'level' -d 'Compression level (gz: 1-9, bz2: 1-9).' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc cp" decompress' -l 'decompress' -d 'Decompress .gz/.bz2 sources on the way; the suffix is removed.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc cp" zip' -l 'zip' -d 'Put the sources into a new zip archive instead of copying them.' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc cp" n no-clobber' -s 'n' -l 'no-clobber' -d 'Never overwrite an existing destination file.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc cp" transfers' -l 'transfers' -d 'Files copied in parallel.' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc cp" version' -l 'version' -d 'Show the version.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc cp" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc mv" v verbose' -l 'verbose' -s 'v' -d 'Say more: each action, and the native cause of errors.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc mv" config' -l 'config' -d 'Config file to use (default: $DCTC_CONFIG, else $XDG_CONFIG_HOME/dctc/config.toml).' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc mv" accept-new-host-key' -l 'accept-new-host-key' -d 'Accept and remember an SSH host key seen for the first time.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc mv" insecure' -l 'insecure' -d 'Do not verify TLS certificates (https, ftps). Unsafe outside tests.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc mv" n no-clobber' -s 'n' -l 'no-clobber' -d 'Never overwrite an existing destination file.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc mv" transfers' -l 'transfers' -d 'Files moved in parallel (between stores).' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc mv" version' -l 'version' -d 'Show the version.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc mv" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc rm" v verbose' -l 'verbose' -s 'v' -d 'Say more: each action, and the native cause of errors.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc rm" config' -l 'config' -d 'Config file to use (default: $DCTC_CONFIG, else $XDG_CONFIG_HOME/dctc/config.toml).' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc rm" accept-new-host-key' -l 'accept-new-host-key' -d 'Accept and remember an SSH host key seen for the first time.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc rm" insecure' -l 'insecure' -d 'Do not verify TLS certificates (https, ftps). Unsafe outside tests.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc rm" r recursive' -l 'recursive' -s 'r' -d 'Remove directories and everything below them.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc rm" f force' -l 'force' -s 'f' -d 'Ignore missing files; allow removing the root of a store or bucket.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc rm" version' -l 'version' -d 'Show the version.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc rm" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc mkdir" v verbose' -l 'verbose' -s 'v' -d 'Say more: each action, and the native cause of errors.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc mkdir" config' -l 'config' -d 'Config file to use (default: $DCTC_CONFIG, else $XDG_CONFIG_HOME/dctc/config.toml).' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc mkdir" accept-new-host-key' -l 'accept-new-host-key' -d 'Accept and remember an SSH host key seen for the first time.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc mkdir" insecure' -l 'insecure' -d 'Do not verify TLS certificates (https, ftps). Unsafe outside tests.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc mkdir" p parents' -l 'parents' -s 'p' -d 'Create missing parents; an existing directory is not an error.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc mkdir" version' -l 'version' -d 'Show the version.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc mkdir" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc rmdir" v verbose' -l 'verbose' -s 'v' -d 'Say more: each action, and the native cause of errors.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc rmdir" config' -l 'config' -d 'Config file to use (default: $DCTC_CONFIG, else $XDG_CONFIG_HOME/dctc/config.toml).' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc rmdir" accept-new-host-key' -l 'accept-new-host-key' -d 'Accept and remember an SSH host key seen for the first time.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc rmdir" insecure' -l 'insecure' -d 'Do not verify TLS certificates (https, ftps). Unsafe outside tests.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc rmdir" version' -l 'version' -d 'Show the version.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc rmdir" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc hash" v verbose' -l 'verbose' -s 'v' -d 'Say more: each action, and the native cause of errors.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc hash" config' -l 'config' -d 'Config file to use (default: $DCTC_CONFIG, else $XDG_CONFIG_HOME/dctc/config.toml).' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc hash" accept-new-host-key' -l 'accept-new-host-key' -d 'Accept and remember an SSH host key seen for the first time.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc hash" insecure' -l 'insecure' -d 'Do not verify TLS certificates (https, ftps). Unsafe outside tests.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc hash" algo' -l 'algo' -d 'The algorithm: md5 (default), sha1 or sha256. With --check, the default is to infer it from each line.' -rfka 'md5 sha1 sha256'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc hash" check' -l 'check' -d 'Check the files listed in a sum file (any address; - for standard input).' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc hash" quiet' -l 'quiet' -d 'With --check: print only the files that failed.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc hash" ignore-missing' -l 'ignore-missing' -d 'With --check: skip listed files that do not exist.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc hash" version' -l 'version' -d 'Show the version.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc hash" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc grep" verbose' -l 'verbose' -d 'Say more: each action, and the native cause of errors.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc grep" config' -l 'config' -d 'Config file to use (default: $DCTC_CONFIG, else $XDG_CONFIG_HOME/dctc/config.toml).' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc grep" accept-new-host-key' -l 'accept-new-host-key' -d 'Accept and remember an SSH host key seen for the first time.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc grep" insecure' -l 'insecure' -d 'Do not verify TLS certificates (https, ftps). Unsafe outside tests.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc grep" i ignore-case' -s 'i' -l 'ignore-case' -d 'Ignore the case of ASCII letters.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc grep" invert-match v' -s 'v' -l 'invert-match' -d 'Select the lines that do not match.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc grep" c count' -s 'c' -l 'count' -d 'Print only the number of selected lines of each file.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc grep" files-with-matches l' -s 'l' -l 'files-with-matches' -d 'Print only the names of files with a selected line.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc grep" line-number n' -s 'n' -l 'line-number' -d 'Prefix each line with its line number.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc grep" F fixed-strings' -s 'F' -l 'fixed-strings' -d 'The pattern is plain text, not a regular expression.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc grep" E extended-regexp' -s 'E' -l 'extended-regexp' -d 'The pattern is an extended regular expression (the default).'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc grep" r recursive' -s 'r' -l 'recursive' -d 'Search every file below directories (the current one when no address is given).'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc grep" q quiet' -s 'q' -l 'quiet' -d 'Print nothing; stop at the first selected line.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc grep" version' -l 'version' -d 'Show the version.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc grep" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config" version' -l 'version' -d 'Show the version.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_positional "dctc config" -eq 1' -fa 'list' -d 'List the accounts, secrets masked.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_positional "dctc config" -eq 1' -fa 'show' -d 'Show one account, secrets masked.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_positional "dctc config" -eq 1' -fa 'add' -d 'Add an account (non-interactive with flags; prompts for what is missing on a terminal).'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_positional "dctc config" -eq 1' -fa 'remove' -d 'Remove an account from the config file.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_positional "dctc config" -eq 1' -fa 'path' -d 'Print the path of the config file in use.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config list" v verbose' -l 'verbose' -s 'v' -d 'Say more: each action, and the native cause of errors.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config list" config' -l 'config' -d 'Config file to use (default: $DCTC_CONFIG, else $XDG_CONFIG_HOME/dctc/config.toml).' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config list" accept-new-host-key' -l 'accept-new-host-key' -d 'Accept and remember an SSH host key seen for the first time.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config list" insecure' -l 'insecure' -d 'Do not verify TLS certificates (https, ftps). Unsafe outside tests.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config list" json' -l 'json' -d 'One JSON object per account and line.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config list" version' -l 'version' -d 'Show the version.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config show" v verbose' -l 'verbose' -s 'v' -d 'Say more: each action, and the native cause of errors.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config show" config' -l 'config' -d 'Config file to use (default: $DCTC_CONFIG, else $XDG_CONFIG_HOME/dctc/config.toml).' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config show" accept-new-host-key' -l 'accept-new-host-key' -d 'Accept and remember an SSH host key seen for the first time.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config show" insecure' -l 'insecure' -d 'Do not verify TLS certificates (https, ftps). Unsafe outside tests.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config show" version' -l 'version' -d 'Show the version.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config add" v verbose' -l 'verbose' -s 'v' -d 'Say more: each action, and the native cause of errors.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config add" config' -l 'config' -d 'Config file to use (default: $DCTC_CONFIG, else $XDG_CONFIG_HOME/dctc/config.toml).' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config add" accept-new-host-key' -l 'accept-new-host-key' -d 'Accept and remember an SSH host key seen for the first time.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config add" insecure' -l 'insecure' -d 'Do not verify TLS certificates (https, ftps). Unsafe outside tests.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config add" type' -l 'type' -d 'sftp, ftp, ftps, http, webdav, s3 or local.' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config add" host' -l 'host' -d 'Host name (sftp, ftp, ftps).' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config add" port' -l 'port' -d 'Port.' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config add" user' -l 'user' -d 'User name.' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config add" endpoint' -l 'endpoint' -d 'Endpoint URL (s3).' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config add" url' -l 'url' -d 'Base URL (http, webdav).' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config add" region' -l 'region' -d 'Region (s3).' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config add" root' -l 'root' -d 'A path prefix every address of the account lives under.' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config add"' -l 'set' -d 'Any other non-secret setting.' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config add"' -l 'secret-env' -d 'Read a secret from an environment variable when needed.' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config add"' -l 'secret-command' -d 'Run a command that prints a secret when needed.' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config add" replace' -l 'replace' -d 'Replace an existing account of that name.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config add" version' -l 'version' -d 'Show the version.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config add" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config remove" v verbose' -l 'verbose' -s 'v' -d 'Say more: each action, and the native cause of errors.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config remove" config' -l 'config' -d 'Config file to use (default: $DCTC_CONFIG, else $XDG_CONFIG_HOME/dctc/config.toml).' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config remove" accept-new-host-key' -l 'accept-new-host-key' -d 'Accept and remember an SSH host key seen for the first time.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config remove" insecure' -l 'insecure' -d 'Do not verify TLS certificates (https, ftps). Unsafe outside tests.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config remove" version' -l 'version' -d 'Show the version.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config remove" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config path" v verbose' -l 'verbose' -s 'v' -d 'Say more: each action, and the native cause of errors.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config path" config' -l 'config' -d 'Config file to use (default: $DCTC_CONFIG, else $XDG_CONFIG_HOME/dctc/config.toml).' -rfka ''
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config path" accept-new-host-key' -l 'accept-new-host-key' -d 'Accept and remember an SSH host key seen for the first time.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config path" insecure' -l 'insecure' -d 'Do not verify TLS certificates (https, ftps). Unsafe outside tests.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config path" version' -l 'version' -d 'Show the version.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc config path" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc version" json' -l 'json' -d 'As one JSON object.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc version" version' -l 'version' -d 'Show the version.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc version" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_positional "dctc completions" -eq 1' -fka 'bash zsh fish'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc completions" version' -l 'version' -d 'Show the version.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc completions" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'dctc' -n '__dctc_should_offer_completions_for_flags_or_options "dctc help" version' -l 'version' -d 'Show the version.'