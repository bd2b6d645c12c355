#!/bin/bash

__dctc_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__dctc_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__dctc_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__dctc_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_dctc() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __dctc_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    ls|find|stat|du|cat|head|tail|cp|mv|rm|mkdir|rmdir|cleanup|sync|copy|check|shard-plan|hash|grep|edit|dispatch|flow|config|version|completions|help)
        # Offer subcommand argument completions
        "_dctc_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'ls find stat du cat head tail cp mv rm mkdir rmdir cleanup sync copy check shard-plan hash grep edit dispatch flow config version completions help' -- "${cur}"))
        ;;
    esac
}

_dctc_ls() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify -l -R -h --json -L --copy-links -a -t -r -1 -d --version --help)
    repeating_options=()
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout)
    __dctc_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __dctc_add_completions -W "$(__dctc_custom_complete ---completion ls -- positional@0 "${COMP_CWORD}" "$(__dctc_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_dctc_find() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify --json -L --copy-links --version -h --help)
    repeating_options=()
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout --name --type --max-depth --size --mtime --newer)
    __dctc_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    '--name')
        return
        ;;
    '--type')
        __dctc_add_completions -W 'f'$'\n''d'
        return
        ;;
    '--max-depth')
        return
        ;;
    '--size')
        return
        ;;
    '--mtime')
        return
        ;;
    '--newer')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __dctc_add_completions -W "$(__dctc_custom_complete ---completion find -- positional@0 "${COMP_CWORD}" "$(__dctc_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_dctc_stat() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout)
    __dctc_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __dctc_add_completions -W "$(__dctc_custom_complete ---completion stat -- positional@0 "${COMP_CWORD}" "$(__dctc_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_dctc_du() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify -h -s -L --copy-links --json --version --help)
    repeating_options=()
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout)
    __dctc_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __dctc_add_completions -W "$(__dctc_custom_complete ---completion du -- positional@0 "${COMP_CWORD}" "$(__dctc_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_dctc_cat() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify --raw --version -h --help)
    repeating_options=()
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout)
    __dctc_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __dctc_add_completions -W "$(__dctc_custom_complete ---completion cat -- positional@0 "${COMP_CWORD}" "$(__dctc_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_dctc_head() {
    repeating_flags=(--verbose)
    non_repeating_flags=(--quiet --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify -q --silent --raw --version -h --help)
    repeating_options=()
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout -n --lines -c --bytes)
    __dctc_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    '-n'|'--lines')
        return
        ;;
    '-c'|'--bytes')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __dctc_add_completions -W "$(__dctc_custom_complete ---completion head -- positional@0 "${COMP_CWORD}" "$(__dctc_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_dctc_tail() {
    repeating_flags=(--verbose)
    non_repeating_flags=(--quiet --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify -q --silent --raw --version -h --help)
    repeating_options=()
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout -n --lines -c --bytes)
    __dctc_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    '-n'|'--lines')
        return
        ;;
    '-c'|'--bytes')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __dctc_add_completions -W "$(__dctc_custom_complete ---completion tail -- positional@0 "${COMP_CWORD}" "$(__dctc_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_dctc_cp() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify --recursive -r --decompress -n --dry-run --no-clobber --ignore-existing -i --interactive -L --copy-links -l --links --perms --no-perms --version -h --help)
    repeating_options=(--metadata)
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout --content-type --cache-control --content-encoding --storage-class --sse --sse-kms-key-id --acl --multi-thread-streams --multi-thread-cutoff --compress --level --zip --transfers)
    __dctc_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    '--content-type')
        return
        ;;
    '--metadata')
        return
        ;;
    '--cache-control')
        return
        ;;
    '--content-encoding')
        return
        ;;
    '--storage-class')
        return
        ;;
    '--sse')
        return
        ;;
    '--sse-kms-key-id')
        return
        ;;
    '--acl')
        return
        ;;
    '--multi-thread-streams')
        return
        ;;
    '--multi-thread-cutoff')
        return
        ;;
    '--compress')
        __dctc_add_completions -W 'gz'$'\n''bz2'
        return
        ;;
    '--level')
        return
        ;;
    '--zip')
        return
        ;;
    '--transfers')
        return
        ;;
    esac
}

_dctc_mv() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify -n --dry-run --no-clobber --ignore-existing -i --interactive -L --copy-links -l --links --perms --no-perms --version -h --help)
    repeating_options=(--metadata)
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout --content-type --cache-control --content-encoding --storage-class --sse --sse-kms-key-id --acl --transfers)
    __dctc_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    '--content-type')
        return
        ;;
    '--metadata')
        return
        ;;
    '--cache-control')
        return
        ;;
    '--content-encoding')
        return
        ;;
    '--storage-class')
        return
        ;;
    '--sse')
        return
        ;;
    '--sse-kms-key-id')
        return
        ;;
    '--acl')
        return
        ;;
    '--transfers')
        return
        ;;
    esac
}

_dctc_rm() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify --recursive -r --force -f -n --dry-run --interactive -i --version -h --help)
    repeating_options=()
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout)
    __dctc_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __dctc_add_completions -W "$(__dctc_custom_complete ---completion rm -- positional@0 "${COMP_CWORD}" "$(__dctc_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_dctc_mkdir() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify --parents -p -n --dry-run --version -h --help)
    repeating_options=()
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout)
    __dctc_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __dctc_add_completions -W "$(__dctc_custom_complete ---completion mkdir -- positional@0 "${COMP_CWORD}" "$(__dctc_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_dctc_rmdir() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify -n --dry-run --version -h --help)
    repeating_options=()
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout)
    __dctc_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __dctc_add_completions -W "$(__dctc_custom_complete ---completion rmdir -- positional@0 "${COMP_CWORD}" "$(__dctc_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_dctc_cleanup() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify --dry-run --version -h --help)
    repeating_options=()
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout --max-age)
    __dctc_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    '--max-age')
        return
        ;;
    esac
}

_dctc_sync() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify -c --checksum --size-only -u --update -n --dry-run -i --interactive --json --decompress --ignore-existing --immutable --create-empty-src-dirs --delete-excluded -L --copy-links -l --links --perms --no-perms --no-state --allow-empty-source --version -h --help)
    repeating_options=(--include --exclude --filter-from --include-from --exclude-from --metadata)
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout --modify-window --explain --events --files-from --min-size --max-size --min-age --max-age --compress --level --shard --start-after --end-at --max-transfer --max-duration --checkers --transfers --retries --retry-delay --state --exit-code-if-nothing-done --content-type --cache-control --content-encoding --storage-class --sse --sse-kms-key-id --acl --multi-thread-streams --multi-thread-cutoff --backup-dir --max-delete)
    __dctc_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    '--modify-window')
        return
        ;;
    '--explain')
        return
        ;;
    '--events')
        return
        ;;
    '--include')
        return
        ;;
    '--exclude')
        return
        ;;
    '--filter-from')
        return
        ;;
    '--include-from')
        return
        ;;
    '--exclude-from')
        return
        ;;
    '--files-from')
        return
        ;;
    '--min-size')
        return
        ;;
    '--max-size')
        return
        ;;
    '--min-age')
        return
        ;;
    '--max-age')
        return
        ;;
    '--compress')
        __dctc_add_completions -W 'gz'$'\n''bz2'
        return
        ;;
    '--level')
        return
        ;;
    '--shard')
        return
        ;;
    '--start-after')
        return
        ;;
    '--end-at')
        return
        ;;
    '--max-transfer')
        return
        ;;
    '--max-duration')
        return
        ;;
    '--checkers')
        return
        ;;
    '--transfers')
        return
        ;;
    '--retries')
        return
        ;;
    '--retry-delay')
        return
        ;;
    '--state')
        return
        ;;
    '--exit-code-if-nothing-done')
        return
        ;;
    '--content-type')
        return
        ;;
    '--metadata')
        return
        ;;
    '--cache-control')
        return
        ;;
    '--content-encoding')
        return
        ;;
    '--storage-class')
        return
        ;;
    '--sse')
        return
        ;;
    '--sse-kms-key-id')
        return
        ;;
    '--acl')
        return
        ;;
    '--multi-thread-streams')
        return
        ;;
    '--multi-thread-cutoff')
        return
        ;;
    '--backup-dir')
        return
        ;;
    '--max-delete')
        return
        ;;
    esac
}

_dctc_copy() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify -c --checksum --size-only -u --update -n --dry-run -i --interactive --json --decompress --ignore-existing --immutable --create-empty-src-dirs --delete-excluded -L --copy-links -l --links --perms --no-perms --no-state --version -h --help)
    repeating_options=(--include --exclude --filter-from --include-from --exclude-from --metadata)
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout --modify-window --explain --events --files-from --min-size --max-size --min-age --max-age --compress --level --shard --start-after --end-at --max-transfer --max-duration --checkers --transfers --retries --retry-delay --state --exit-code-if-nothing-done --content-type --cache-control --content-encoding --storage-class --sse --sse-kms-key-id --acl --multi-thread-streams --multi-thread-cutoff --backup-dir)
    __dctc_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    '--modify-window')
        return
        ;;
    '--explain')
        return
        ;;
    '--events')
        return
        ;;
    '--include')
        return
        ;;
    '--exclude')
        return
        ;;
    '--filter-from')
        return
        ;;
    '--include-from')
        return
        ;;
    '--exclude-from')
        return
        ;;
    '--files-from')
        return
        ;;
    '--min-size')
        return
        ;;
    '--max-size')
        return
        ;;
    '--min-age')
        return
        ;;
    '--max-age')
        return
        ;;
    '--compress')
        __dctc_add_completions -W 'gz'$'\n''bz2'
        return
        ;;
    '--level')
        return
        ;;
    '--shard')
        return
        ;;
    '--start-after')
        return
        ;;
    '--end-at')
        return
        ;;
    '--max-transfer')
        return
        ;;
    '--max-duration')
        return
        ;;
    '--checkers')
        return
        ;;
    '--transfers')
        return
        ;;
    '--retries')
        return
        ;;
    '--retry-delay')
        return
        ;;
    '--state')
        return
        ;;
    '--exit-code-if-nothing-done')
        return
        ;;
    '--content-type')
        return
        ;;
    '--metadata')
        return
        ;;
    '--cache-control')
        return
        ;;
    '--content-encoding')
        return
        ;;
    '--storage-class')
        return
        ;;
    '--sse')
        return
        ;;
    '--sse-kms-key-id')
        return
        ;;
    '--acl')
        return
        ;;
    '--multi-thread-streams')
        return
        ;;
    '--multi-thread-cutoff')
        return
        ;;
    '--backup-dir')
        return
        ;;
    esac
}

_dctc_check() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify -c --checksum --size-only -u --update -n --dry-run -i --interactive --json --decompress --ignore-existing --immutable --create-empty-src-dirs --delete-excluded -L --copy-links -l --links --perms --no-perms --no-state --version -h --help)
    repeating_options=(--include --exclude --filter-from --include-from --exclude-from)
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout --modify-window --explain --events --files-from --min-size --max-size --min-age --max-age --compress --level --shard --start-after --end-at --max-transfer --max-duration --checkers --transfers --retries --retry-delay --state --exit-code-if-nothing-done)
    __dctc_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    '--modify-window')
        return
        ;;
    '--explain')
        return
        ;;
    '--events')
        return
        ;;
    '--include')
        return
        ;;
    '--exclude')
        return
        ;;
    '--filter-from')
        return
        ;;
    '--include-from')
        return
        ;;
    '--exclude-from')
        return
        ;;
    '--files-from')
        return
        ;;
    '--min-size')
        return
        ;;
    '--max-size')
        return
        ;;
    '--min-age')
        return
        ;;
    '--max-age')
        return
        ;;
    '--compress')
        __dctc_add_completions -W 'gz'$'\n''bz2'
        return
        ;;
    '--level')
        return
        ;;
    '--shard')
        return
        ;;
    '--start-after')
        return
        ;;
    '--end-at')
        return
        ;;
    '--max-transfer')
        return
        ;;
    '--max-duration')
        return
        ;;
    '--checkers')
        return
        ;;
    '--transfers')
        return
        ;;
    '--retries')
        return
        ;;
    '--retry-delay')
        return
        ;;
    '--state')
        return
        ;;
    '--exit-code-if-nothing-done')
        return
        ;;
    esac
}

_dctc_shard-plan() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout --shards)
    __dctc_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    '--shards')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __dctc_add_completions -W "$(__dctc_custom_complete ---completion shard-plan -- positional@0 "${COMP_CWORD}" "$(__dctc_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_dctc_hash() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify --recursive -r --ignore-missing --version -h --help)
    repeating_options=()
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout --algo --check)
    __dctc_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    '--algo')
        __dctc_add_completions -W 'md5'$'\n''sha1'$'\n''sha256'
        return
        ;;
    '--check')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __dctc_add_completions -W "$(__dctc_custom_complete ---completion hash -- positional@0 "${COMP_CWORD}" "$(__dctc_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_dctc_grep() {
    repeating_flags=(--verbose)
    non_repeating_flags=(--quiet --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify -i --ignore-case -v --invert-match -c --count -l --files-with-matches -n --line-number -F --fixed-strings -E --extended-regexp -r --recursive -q --version -h --help)
    repeating_options=()
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout)
    __dctc_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __dctc_add_completions -W "$(__dctc_custom_complete ---completion grep -- positional@1 "${COMP_CWORD}" "$(__dctc_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_dctc_edit() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify --new --force -f -n --dry-run --version -h --help)
    repeating_options=()
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout)
    __dctc_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __dctc_add_completions -W "$(__dctc_custom_complete ---completion edit -- positional@0 "${COMP_CWORD}" "$(__dctc_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_dctc_dispatch() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify -n --dry-run --header --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout --by --column --regex --date-format --grain --time-zone --buckets --format --separator --name --compress --level --on-error --max-open --max-keys --spool-memory --spool-dir --transfers)
    __dctc_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    '--by')
        __dctc_add_completions -W 'time'$'\n''value'$'\n''hash'$'\n''round-robin'
        return
        ;;
    '--column')
        return
        ;;
    '--regex')
        return
        ;;
    '--date-format')
        return
        ;;
    '--grain')
        __dctc_add_completions -W 'hour'$'\n''day'$'\n''month'$'\n''year'
        return
        ;;
    '--time-zone')
        return
        ;;
    '--buckets')
        return
        ;;
    '--format')
        __dctc_add_completions -W 'lines'$'\n''csv'
        return
        ;;
    '--separator')
        return
        ;;
    '--name')
        return
        ;;
    '--compress')
        __dctc_add_completions -W 'gz'$'\n''bz2'
        return
        ;;
    '--level')
        return
        ;;
    '--on-error')
        return
        ;;
    '--max-open')
        return
        ;;
    '--max-keys')
        return
        ;;
    '--spool-memory')
        return
        ;;
    '--spool-dir')
        return
        ;;
    '--transfers')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __dctc_add_completions -W "$(__dctc_custom_complete ---completion dispatch -- positional@0 "${COMP_CWORD}" "$(__dctc_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_dctc_flow() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __dctc_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    build|plan|status|why|backfill|graph|export|adopt|validate)
        # Offer subcommand argument completions
        "_dctc_flow_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'build plan status why backfill graph export adopt validate' -- "${cur}"))
        ;;
    esac
}

_dctc_flow_build() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify --json --dry-run --version -h --help)
    repeating_options=()
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout -p --pipeline --state -j --upstream --wait-for-lock --lock-lease --exit-code-if-nothing-done)
    __dctc_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    '-p'|'--pipeline')
        return
        ;;
    '--state')
        return
        ;;
    '-j')
        return
        ;;
    '--upstream')
        return
        ;;
    '--wait-for-lock')
        return
        ;;
    '--lock-lease')
        return
        ;;
    '--exit-code-if-nothing-done')
        return
        ;;
    esac
}

_dctc_flow_plan() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout -p --pipeline --state --upstream)
    __dctc_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    '-p'|'--pipeline')
        return
        ;;
    '--state')
        return
        ;;
    '--upstream')
        return
        ;;
    esac
}

_dctc_flow_status() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout -p --pipeline --state)
    __dctc_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    '-p'|'--pipeline')
        return
        ;;
    '--state')
        return
        ;;
    esac
}

_dctc_flow_why() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout -p --pipeline --state)
    __dctc_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    '-p'|'--pipeline')
        return
        ;;
    '--state')
        return
        ;;
    esac
}

_dctc_flow_backfill() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify --json --version -h --help)
    repeating_options=(--where)
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout -p --pipeline --state --from --to --only --order --max-parallel --wait-for-lock --lock-lease --exit-code-if-nothing-done)
    __dctc_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    '-p'|'--pipeline')
        return
        ;;
    '--state')
        return
        ;;
    '--from')
        return
        ;;
    '--to')
        return
        ;;
    '--where')
        return
        ;;
    '--only')
        return
        ;;
    '--order')
        return
        ;;
    '--max-parallel')
        return
        ;;
    '--wait-for-lock')
        return
        ;;
    '--lock-lease')
        return
        ;;
    '--exit-code-if-nothing-done')
        return
        ;;
    esac
}

_dctc_flow_graph() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout -p --pipeline --state --format)
    __dctc_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    '-p'|'--pipeline')
        return
        ;;
    '--state')
        return
        ;;
    '--format')
        return
        ;;
    esac
}

_dctc_flow_export() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify --json --version -h --help)
    repeating_options=(--connection)
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout -p --pipeline --state --out --target --dctc --worker-pipeline --worker-state --wait-for-lock --dag-id --retries)
    __dctc_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    '-p'|'--pipeline')
        return
        ;;
    '--state')
        return
        ;;
    '--out')
        return
        ;;
    '--target')
        return
        ;;
    '--dctc')
        return
        ;;
    '--worker-pipeline')
        return
        ;;
    '--worker-state')
        return
        ;;
    '--connection')
        return
        ;;
    '--wait-for-lock')
        return
        ;;
    '--dag-id')
        return
        ;;
    '--retries')
        return
        ;;
    esac
}

_dctc_flow_adopt() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout -p --pipeline --state)
    __dctc_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    '-p'|'--pipeline')
        return
        ;;
    '--state')
        return
        ;;
    esac
}

_dctc_flow_validate() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout -p --pipeline --state)
    __dctc_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    '-p'|'--pipeline')
        return
        ;;
    '--state')
        return
        ;;
    esac
}

_dctc_config() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __dctc_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    list|show|add|remove|keys|path)
        # Offer subcommand argument completions
        "_dctc_config_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'list show add remove keys path' -- "${cur}"))
        ;;
    esac
}

_dctc_config_list() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout)
    __dctc_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    esac
}

_dctc_config_show() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify --version -h --help)
    repeating_options=()
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout)
    __dctc_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    esac
}

_dctc_config_add() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify --replace -n --dry-run --version -h --help)
    repeating_options=(--set --secret-env --secret-command)
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout --type --host --port --user --endpoint --url --root)
    __dctc_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    '--type')
        return
        ;;
    '--host')
        return
        ;;
    '--port')
        return
        ;;
    '--user')
        return
        ;;
    '--endpoint')
        return
        ;;
    '--url')
        return
        ;;
    '--root')
        return
        ;;
    '--set')
        return
        ;;
    '--secret-env')
        return
        ;;
    '--secret-command')
        return
        ;;
    esac
}

_dctc_config_remove() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify -n --dry-run --version -h --help)
    repeating_options=()
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout)
    __dctc_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    esac
}

_dctc_config_keys() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify --markdown --version -h --help)
    repeating_options=()
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout)
    __dctc_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    esac
}

_dctc_config_path() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify --version -h --help)
    repeating_options=()
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout)
    __dctc_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    esac
}

_dctc_version() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout)
    __dctc_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    esac
}

_dctc_completions() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(--quiet -q -P --progress --no-progress --accept-new-host-key --insecure --no-sign-request --no-resume --verify --version -h --help)
    repeating_options=()
    non_repeating_options=(--log-file --log-level --stats --config --max-connections --profile --region --endpoint-url --bwlimit --contimeout --timeout)
    __dctc_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--log-file')
        return
        ;;
    '--log-level')
        __dctc_add_completions -W 'error'$'\n''notice'$'\n''info'$'\n''debug'
        return
        ;;
    '--stats')
        return
        ;;
    '--config')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--profile')
        return
        ;;
    '--region')
        return
        ;;
    '--endpoint-url')
        return
        ;;
    '--bwlimit')
        return
        ;;
    '--contimeout')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __dctc_add_completions -W 'bash'$'\n''zsh'$'\n''fish'
        return
        ;;
    esac
}

_dctc_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __dctc_offer_flags_options -1
}

complete -o filenames -F _dctc dctc